// Package creds makes credential material: it mints access key ids, secret
// keys and IAM unique ids, and seals temporary-credential sessions into
// self-contained, encrypted session tokens so STS keeps no session state.
//
// # Session tokens
//
// A token is the unpadded URL-safe base64 (alphabet A-Z a-z 0-9 - _, so it
// passes through shells, environment variables, HTTP headers and query
// strings untouched) of
//
//	version (1 byte) | key id length (1 byte) | key id | nonce (12) | ciphertext | GCM tag (16)
//
// The ciphertext is AES-256-GCM over a compact binary encoding of a
// [Session]. The additional data is the header (version, key id) followed by
// the session's access key id, so a token only opens together with the
// access key id it was issued with.
//
// Sizes, with a 2-character key id: a typical assumed-role session without
// tags or session policy seals to a token of about 320 characters (real AWS
// tokens are several hundred too); every field set with three short tags,
// about 720; the largest inline session policy AWS accepts (2,048
// characters) brings a typical session to about 3,050. Each session tag adds
// about (len(key)+len(value)+2)*4/3 characters; 50 tags of maximal length
// give about 26,500. Tokens are capped at [MaxTokenLength]; [Sealer.Seal]
// refuses sessions that would exceed it.
package creds
