// Package apikeys is the platform's API keys: named, scoped, expiring and
// revocable keys with which customers and staff call the API as
// themselves. A key is "ezk_live_<id>_<secret>": the id is public (it finds
// the key and is shown in lists), the secret is 40 random characters that
// only its owner ever sees, once; the database keeps the SHA-256 of the
// whole key.
package apikeys

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/pocketbase/pocketbase/tools/security"
)

// Collection holds the keys (pb_migrations/1764000041_api_keys.go).
const Collection = "api_keys"

// Prefix starts every key, so a leaked one is recognisable (secret
// scanners, logs) and a request tells a key from a PocketBase token.
const Prefix = "ezk_live_"

const (
	idLength     = 12
	secretLength = 40 // alphanumeric: about 238 bits
	alphabet     = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// newKey returns a fresh key and its public id (the prefix stored).
func newKey() (key, publicID string) {
	publicID = Prefix + security.RandomStringWithAlphabet(idLength, alphabet)
	return publicID + "_" + security.RandomString(secretLength), publicID
}

// Hash is what the database keeps of a key: hex SHA-256. The secret is
// random and long, so a fast hash is enough; no salt is needed.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// publicIDOf returns the public id of a presented key, or false when it is
// not shaped like one of ours.
func publicIDOf(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, Prefix)
	if !ok || len(rest) != idLength+1+secretLength || rest[idLength] != '_' {
		return "", false
	}
	return Prefix + rest[:idLength], true
}

// hashMatches compares in constant time, so timing tells nothing of the hash.
func hashMatches(key, stored string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(key)), []byte(stored)) == 1
}
