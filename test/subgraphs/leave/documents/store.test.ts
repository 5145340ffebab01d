import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { DocumentSettings } from '../../../../subgraphs/leave/context.ts';
import {
  documentPath,
  DocumentTooLargeError,
  openDocument,
  removeDocument,
  signDocumentUrl,
  stageDocument,
  verifyDocumentSignature,
} from '../../../../subgraphs/leave/documents/store.ts';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'leave-store-'));
const settings: DocumentSettings = { directory, maxBytes: 1000, publicUrl: 'https://leave.example.com', signingSecret: 'secret' };
const NOW = new Date('2026-12-01T10:00:00.500Z');
const ID = '6f1c2a0e-2d5b-4b7e-9a51-3f1e9d0c7a11';
const ORG = '0b8f5a34-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

function paramsOf(url: string) {
  const u = new URL(url);
  return { op: u.searchParams.get('op'), expires: u.searchParams.get('expires'), signature: u.searchParams.get('signature'), path: u.pathname, origin: u.origin };
}

describe('signed document URLs', () => {
  it('should sign an operation on a document for 15 minutes on the public URL', () => {
    const { url, expiresAt } = signDocumentUrl(settings, 'upload', ID, NOW);
    const p = paramsOf(url);
    expect(p).toMatchObject({ origin: 'https://leave.example.com', path: `/documents/${ID}`, op: 'upload', expires: String(Date.parse('2026-12-01T10:15:00Z') / 1000) });
    expect(expiresAt.toISOString()).toBe('2026-12-01T10:15:00.000Z');
    const expected = crypto.createHmac('sha256', 'secret').update(`upload:${ID}:${p.expires}`).digest('base64url');
    expect(p.signature).toBe(expected);
    expect(verifyDocumentSignature('secret', 'upload', ID, p, NOW)).toBeNull();
    expect(verifyDocumentSignature('secret', 'upload', ID, p, new Date('2026-12-01T10:15:00.000Z'))).toBeNull();
  });

  it('should refuse an expired, tampered or misdirected signature', () => {
    const p = paramsOf(signDocumentUrl(settings, 'download', ID, NOW).url);
    expect(verifyDocumentSignature('secret', 'download', ID, p, new Date('2026-12-01T10:15:01.000Z'))).toBe('expired');
    const flipped = `${p.signature!.slice(0, -1)}${p.signature!.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyDocumentSignature('secret', 'download', ID, { ...p, signature: flipped }, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('secret', 'download', ID, { ...p, signature: `${p.signature}x` }, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('secret', 'download', ID, { ...p, expires: String(Number(p.expires) + 3600) }, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('secret', 'upload', ID, p, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('secret', 'download', ORG, p, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('other secret', 'download', ID, p, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('secret', 'download', ID, { ...p, expires: null }, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('secret', 'download', ID, { ...p, signature: null }, NOW)).toBe('bad signature');
    expect(verifyDocumentSignature('secret', 'download', ID, { ...p, expires: '1e12' }, NOW)).toBe('bad signature');
  });
});

describe('the documents store', () => {
  it('should stage a file, hash it and move it into place', async () => {
    const bytes = crypto.randomBytes(700);
    const staged = await stageDocument(settings, ORG, ID, Readable.from([bytes.subarray(0, 300), bytes.subarray(300)]), 700);
    expect(staged.sizeBytes).toBe(700);
    expect(staged.sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
    expect(fs.existsSync(documentPath(settings, ORG, ID))).toBe(false);
    await staged.commit();
    expect(fs.readFileSync(documentPath(settings, ORG, ID))).toEqual(bytes);
    expect(documentPath(settings, ORG, ID)).toBe(path.join(directory, ORG, ID));

    const opened = await openDocument(settings, ORG, ID);
    expect(opened?.sizeBytes).toBe(700);
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);

    await removeDocument(settings, ORG, ID);
    await removeDocument(settings, ORG, ID);
    expect(await openDocument(settings, ORG, ID)).toBeNull();
    expect(fs.readdirSync(path.join(directory, ORG))).toEqual([]);
  });

  it('should refuse more bytes than the limit and keep nothing', async () => {
    const body = Readable.from([Buffer.alloc(400), Buffer.alloc(400)]);
    await expect(stageDocument(settings, ORG, ID, body, 799)).rejects.toBeInstanceOf(DocumentTooLargeError);
    expect(fs.readdirSync(path.join(directory, ORG))).toEqual([]);
  });

  it('should discard a staged file', async () => {
    const staged = await stageDocument(settings, ORG, ID, Readable.from([Buffer.from('hello')]), 10);
    expect(fs.readdirSync(path.join(directory, ORG))).toHaveLength(1);
    await staged.discard();
    expect(fs.readdirSync(path.join(directory, ORG))).toEqual([]);
  });
});
