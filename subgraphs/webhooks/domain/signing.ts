import crypto from 'node:crypto';

/** A new signing secret: `whsec_` and the base64 of 32 random bytes (Standard Webhooks). */
export function generateSigningSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64')}`;
}

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64>`: HMAC-SHA256 over `id.timestamp.body` keyed with the secret's base64 part (Standard Webhooks). */
export function standardSignature(secret: string, messageId: string, timestamp: number, body: string): string {
  return `v1,${crypto.createHmac('sha256', secretKey(secret)).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;
}

/** Hex HMAC-SHA256 of the raw body keyed with the whole secret string, as OrOut's verification sample computes it. */
export function bodySignature(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * The signature headers of one attempt. With a previous secret (a rotation window), both
 * signatures are sent: space-separated in `webhook-signature`, comma-separated in
 * `X-Webhook-Signature`, the current secret's first.
 */
export function signatureHeaders(
  secrets: readonly string[],
  messageId: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => standardSignature(s, messageId, timestamp, body)).join(' '),
    'x-webhook-signature': secrets.map((s) => bodySignature(s, body)).join(','),
  };
}
