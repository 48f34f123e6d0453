// Package secrets seals service credentials with AES-256-GCM before they
// are stored, so the database alone never reveals a password.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// prefix marks the format, so a later scheme can be told apart.
const prefix = "v1:"

// ErrNoKey is returned when no key is configured (dev mode without
// EZ_ENCRYPTION_KEY): nothing can be sealed then.
var ErrNoKey = errors.New("no encryption key: set EZ_ENCRYPTION_KEY (32 bytes)")

// Box seals and opens with one key.
type Box struct {
	aead cipher.AEAD
}

// New makes a Box from a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) == 0 {
		return nil, ErrNoKey
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("encryption key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts values (e.g. username and password) into one string.
func (b *Box) Seal(values map[string]string) (string, error) {
	plain, err := json.Marshal(values)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := b.aead.Seal(nonce, nonce, plain, nil)
	return prefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Open decrypts what Seal produced; a wrong key or altered data fails.
func (b *Box) Open(sealed string) (map[string]string, error) {
	if len(sealed) < len(prefix) || sealed[:len(prefix)] != prefix {
		return nil, errors.New("sealed credentials: unknown format")
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed[len(prefix):])
	if err != nil || len(raw) < b.aead.NonceSize() {
		return nil, errors.New("sealed credentials: malformed")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return nil, errors.New("sealed credentials: wrong key or altered data")
	}
	var values map[string]string
	return values, json.Unmarshal(plain, &values)
}
