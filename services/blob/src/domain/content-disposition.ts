/**
 * `attachment` with the original name, per RFC 6266: an ASCII fallback in `filename` (non-ASCII and
 * quoting characters replaced) and the exact name in `filename*` (RFC 5987, UTF-8, percent-encoded).
 */
export function attachmentDisposition(name: string): string {
  const clean = [...name.normalize('NFC')].filter((char) => char >= ' ' && char !== '\x7f').join('');
  const fallback = clean.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'download';
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
