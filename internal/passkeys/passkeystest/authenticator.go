// Package passkeystest is a minimal software WebAuthn authenticator for
// tests: one ECDSA P-256 key, "none" attestation, flags UP|UV(|AT).
package passkeystest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

var b64 = base64.RawURLEncoding.EncodeToString

// Authenticator is a minimal software authenticator: one P-256 key, "none"
// attestation.
type Authenticator struct {
	key    *ecdsa.PrivateKey
	CredID []byte // the credential id
	userID []byte
	Count  uint32 // the sign count sent with the next assertion (after +1)
}

// New returns an authenticator with a fresh key and credential id.
func New(t testing.TB) *Authenticator {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &Authenticator{key: k, CredID: id}
}

func (a *Authenticator) authData(rpID string, flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append([]byte{}, h[:]...)
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, a.Count)
	return append(out, attested...)
}

func clientData(t testing.TB, typ string, challenge protocol.URLEncodedBase64, org string) []byte {
	b, err := json.Marshal(map[string]any{"type": typ, "challenge": b64(challenge), "origin": org})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Create answers a registration with a "none" attestation from origin.
func (a *Authenticator) Create(t testing.TB, opts *protocol.CredentialCreation, org string) []byte {
	switch id := opts.Response.User.ID.(type) {
	case protocol.URLEncodedBase64:
		a.userID = id
	case []byte:
		a.userID = id
	case string:
		raw, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		a.userID = raw
	}
	pub, err := a.key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	raw := pub.Bytes() // 0x04 || X || Y
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
	if err != nil {
		t.Fatal(err)
	}
	att := make([]byte, 16) // AAGUID
	att = binary.BigEndian.AppendUint16(att, uint16(len(a.CredID)))
	att = append(att, a.CredID...)
	att = append(att, cose...)
	ad := a.authData(opts.Response.RelyingParty.ID, 0x01|0x04|0x40, att)
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64(a.CredID), "rawId": b64(a.CredID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64(clientData(t, "webauthn.create", opts.Response.Challenge, org)),
			"attestationObject": b64(obj)}})
	return body
}

// Get answers a login for rpID from origin, signing with the key.
func (a *Authenticator) Get(t testing.TB, opts *protocol.CredentialAssertion, rpID, org string) []byte {
	a.Count++
	ad := a.authData(rpID, 0x01|0x04, nil)
	cd := clientData(t, "webauthn.get", opts.Response.Challenge, org)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64(a.CredID), "rawId": b64(a.CredID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64(cd), "authenticatorData": b64(ad),
			"signature": b64(sig), "userHandle": b64(a.userID)}})
	return body
}
