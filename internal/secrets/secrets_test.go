package secrets

import (
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	box, err := New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]string{"username": "root", "password": "s3cr€t"}
	sealed, err := box.Seal(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "s3cr") || strings.Contains(sealed, "root") {
		t.Fatal("sealed text shows the secret")
	}
	again, _ := box.Seal(in)
	if again == sealed {
		t.Error("two seals of the same values must differ (random nonce)")
	}
	out, err := box.Open(sealed)
	if err != nil || out["password"] != "s3cr€t" {
		t.Fatalf("open: %v %v", out, err)
	}
	other, _ := New([]byte("ffffffffffffffffffffffffffffffff"))
	if _, err := other.Open(sealed); err == nil {
		t.Error("opened with the wrong key")
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if _, err := box.Open(tampered); err == nil {
		t.Error("opened altered data")
	}
	for _, bad := range [][]byte{nil, []byte("short")} {
		if _, err := New(bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}
