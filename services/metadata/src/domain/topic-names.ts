/** The key that makes topic names unique per user regardless of case (names arrive trimmed, NFC). */
export function normalizeTopicName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}
