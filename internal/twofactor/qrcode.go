package twofactor

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"

	"github.com/pquerna/otp"
)

// qrSize is the QR code's width and height in pixels: large enough for a
// phone camera at arm's length, small enough to inline in JSON.
const qrSize = 240

// QRCode renders an otpauth:// URL as a PNG data URL for an <img>, so the
// portal needs no QR library and the secret never leaves our server.
func QRCode(otpauthURL string) (string, error) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return "", err
	}
	if key.Type() != "totp" {
		return "", fmt.Errorf("not an otpauth://totp URL: %q", otpauthURL)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
