package provisioning

import "crypto/rand"

// passwordAlphabet avoids characters that platforms or shells treat
// specially (quotes, backslash, $) and ones easily misread (0/O, 1/l/I).
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.+!"

// NewPassword is a strong random password of 20 characters (~118 bits)
// that every platform accepts, with at least one lower, upper and digit.
func NewPassword() string {
	for {
		b := make([]byte, 20)
		_, _ = rand.Read(b) // crypto/rand never fails on Linux
		for i, r := range b {
			b[i] = passwordAlphabet[int(r)%len(passwordAlphabet)]
		}
		if hasClass(b, 'a', 'z') && hasClass(b, 'A', 'Z') && hasClass(b, '2', '9') {
			return string(b)
		}
	}
}

func hasClass(b []byte, lo, hi byte) bool {
	for _, c := range b {
		if c >= lo && c <= hi {
			return true
		}
	}
	return false
}
