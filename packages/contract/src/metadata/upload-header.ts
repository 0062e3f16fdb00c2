/**
 * The header that carries an upload's metadata (JSON, URI-encoded); the body is the file itself.
 * A module of its own so that a client (the browser's included) needs nothing of the router.
 */
export const UPLOAD_META_HEADER = 'x-docstore-document';
