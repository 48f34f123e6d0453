package twofactor

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
)

func TestQRCode(t *testing.T) {
	url := "otpauth://totp/EZSCALE:a@example.com?algorithm=SHA1&digits=6&issuer=EZSCALE&period=30&secret=JBSWY3DPEHPK3PXP"
	got, err := QRCode(url)
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := strings.CutPrefix(got, "data:image/png;base64,")
	if !ok {
		t.Fatalf("not a PNG data URL: %.40s", got)
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != qrSize || b.Dy() != qrSize {
		t.Errorf("size %v, want %dx%d", b, qrSize, qrSize)
	}

	if _, err := QRCode("https://example.com/not-otpauth"); err == nil {
		t.Error("a URL that is not otpauth:// gave a QR code")
	}
}
