import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTrustedDocumentId, trustedDocumentId } from '../../../subgraphs/shared/trusted-document-id.ts';

describe('trustedDocumentId', () => {
  it('should be sha256: and the hex SHA-256 of the exact UTF-8 body', () => {
    expect(trustedDocumentId('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(trustedDocumentId('{ me { id } }')).toBe(`sha256:${createHash('sha256').update('{ me { id } }').digest('hex')}`);
    expect(trustedDocumentId('{ organization { name } } # café')).toBe(
      `sha256:${createHash('sha256').update(Buffer.from('{ organization { name } } # café', 'utf8')).digest('hex')}`,
    );
  });

  it('should differ for bodies that differ only in whitespace', () => {
    expect(trustedDocumentId('{ me { id } }')).not.toBe(trustedDocumentId('{ me { id } } '));
  });

  it('should recognise the shape of its ids only', () => {
    expect(isTrustedDocumentId(trustedDocumentId('query { me { id } }'))).toBe(true);
    expect(isTrustedDocumentId(`sha256:${'A'.repeat(64)}`)).toBe(false);
    expect(isTrustedDocumentId(`sha256:${'a'.repeat(63)}`)).toBe(false);
    expect(isTrustedDocumentId(`md5:${'a'.repeat(64)}`)).toBe(false);
  });
});
