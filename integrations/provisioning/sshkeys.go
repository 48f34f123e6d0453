package provisioning

import (
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/ssh"
)

// SSHKeysCollection holds the public keys customers save on their account.
const SSHKeysCollection = "ssh_keys"

// MaxSSHKeys is how many keys one account keeps: enough for every device,
// few enough that an order form lists them all.
const MaxSSHKeys = 20

// minRSABits refuses RSA keys that OpenSSH itself no longer accepts.
const minRSABits = 2048

// SSHKey is a saved key a new server is built with.
type SSHKey struct {
	Name      string
	PublicKey string // one authorized_keys line: type, base64 key, comment
}

// sshKeyTypes are the key types a server built for a customer accepts.
var sshKeyTypes = map[string]bool{
	ssh.KeyAlgoED25519: true, ssh.KeyAlgoECDSA256: true, ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true, ssh.KeyAlgoRSA: true,
}

// ParsedSSHKey is a public key the server checked.
type ParsedSSHKey struct {
	Line        string // normalised: type, base64 key and comment on one line
	Fingerprint string // SHA256:… as ssh-keygen -l prints it
	Comment     string
}

// ParseSSHKey checks one OpenSSH public key as a customer pastes it (the
// contents of id_ed25519.pub and the like) and normalises it. Options
// (command=…) and several keys at once are refused: the platform is given
// exactly the key, nothing that changes what it may do.
func ParseSSHKey(text string) (ParsedSSHKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return ParsedSSHKey{}, fmt.Errorf("paste a public key, such as the contents of ~/.ssh/id_ed25519.pub")
	}
	if strings.ContainsAny(text, "\r\n") {
		return ParsedSSHKey{}, fmt.Errorf("paste one key only, on one line")
	}
	if strings.HasPrefix(text, "-----BEGIN") || strings.Contains(text, "PRIVATE KEY") {
		return ParsedSSHKey{}, fmt.Errorf("this is a private key: never share it; paste the public key (the .pub file) instead")
	}
	key, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(text))
	if err != nil {
		return ParsedSSHKey{}, fmt.Errorf("not an OpenSSH public key: expected \"ssh-ed25519 AAAA… comment\"")
	}
	if len(options) > 0 || len(rest) > 0 {
		return ParsedSSHKey{}, fmt.Errorf("paste the key alone, without authorized_keys options")
	}
	if !sshKeyTypes[key.Type()] {
		return ParsedSSHKey{}, fmt.Errorf("%s keys are not accepted; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa", key.Type())
	}
	if key.Type() == ssh.KeyAlgoRSA {
		ck, ok := key.(ssh.CryptoPublicKey)
		if !ok {
			return ParsedSSHKey{}, fmt.Errorf("not a readable RSA key")
		}
		if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); !ok || rk.N.BitLen() < minRSABits {
			return ParsedSSHKey{}, fmt.Errorf("RSA keys must have at least %d bits; create a new one with ssh-keygen -t ed25519", minRSABits)
		}
	}
	comment = strings.TrimSpace(comment)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	if comment != "" {
		line += " " + comment
	}
	return ParsedSSHKey{Line: line, Fingerprint: ssh.FingerprintSHA256(key), Comment: comment}, nil
}

// BindSSHKeys checks every saved key, whoever saves it: the key is parsed
// and normalised, its fingerprint computed here (never taken from the
// request), a key already on the account or a key beyond MaxSSHKeys
// refused, and an unnamed key named after its comment.
func BindSSHKeys(app core.App) {
	app.OnRecordCreate(SSHKeysCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := checkSSHKey(e.App, e.Record); err != nil {
			return err
		}
		var count int
		if err := e.App.DB().Select("count(*)").From(SSHKeysCollection).
			Where(dbx.HashExp{"customer": e.Record.GetString("customer")}).Row(&count); err != nil {
			return err
		}
		if count >= MaxSSHKeys {
			return validation.Errors{"public_key": validation.NewError("validation_too_many_keys",
				fmt.Sprintf("an account keeps at most %d SSH keys; delete one first", MaxSSHKeys))}
		}
		return e.Next()
	})
	app.OnRecordUpdate(SSHKeysCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := checkSSHKey(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
}

// checkSSHKey normalises rec's key and refuses a bad or repeated one.
func checkSSHKey(app core.App, rec *core.Record) error {
	parsed, err := ParseSSHKey(rec.GetString("public_key"))
	if err != nil {
		return validation.Errors{"public_key": validation.NewError("validation_invalid_ssh_key", err.Error())}
	}
	rec.Set("public_key", parsed.Line)
	rec.Set("fingerprint", parsed.Fingerprint)
	name := strings.TrimSpace(rec.GetString("name"))
	if name == "" {
		name = parsed.Comment
	}
	if name == "" {
		name = "SSH key"
	}
	if len([]rune(name)) > 100 {
		name = string([]rune(name)[:100])
	}
	rec.Set("name", name)
	dup, err := app.FindFirstRecordByFilter(SSHKeysCollection, "customer = {:c} && fingerprint = {:f} && id != {:id}",
		dbx.Params{"c": rec.GetString("customer"), "f": parsed.Fingerprint, "id": rec.Id})
	if err == nil && dup != nil {
		return validation.Errors{"public_key": validation.NewError("validation_duplicate_ssh_key",
			fmt.Sprintf("this key is already on your account as %q", dup.GetString("name")))}
	}
	return nil
}

// SSHKeyIDs reads the ids an order's options["ssh_keys"] lists.
func SSHKeyIDs(option string) []string {
	var ids []string
	for _, id := range strings.Split(option, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// LoadSSHKeys returns the customer's keys among ids, in that order. A key
// deleted since the order is skipped: the server is built with the keys
// the customer still has, and another customer's id finds nothing.
func LoadSSHKeys(app core.App, customerID string, ids []string) ([]SSHKey, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	recs, err := app.FindAllRecords(SSHKeysCollection, dbx.HashExp{"customer": customerID}, dbx.In("id", toAny(ids)...))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Record, len(recs))
	for _, r := range recs {
		byID[r.Id] = r
	}
	var keys []SSHKey
	for _, id := range ids {
		if r := byID[id]; r != nil {
			keys = append(keys, SSHKey{Name: r.GetString("name"), PublicKey: r.GetString("public_key")})
		}
	}
	return keys, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
