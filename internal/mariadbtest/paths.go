package mariadbtest

import (
	"os"
	"path/filepath"

	"github.com/ezscale/ezscale/internal/repo"
)

// FixturePath is the path of a shared test fixture in <repo>/testdata
// (the WHMCS sample database and its expected figures).
func FixturePath(name string) string {
	root, err := repo.Root()
	if err != nil {
		// Only a test binary run outside the module gets here; there is no
		// fixture to find then.
		panic("mariadbtest: " + err.Error())
	}
	return filepath.Join(root, "testdata", name)
}

func scriptPath(root string) string {
	return filepath.Join(root, "scripts", "mariadb.sh")
}

// maxTempBase keeps <dir>/mysqld.sock within the 107 bytes of a unix
// socket path, with room for MkdirTemp's suffix. t.TempDir() is too long
// for it (it holds the test's name), and so may be a TMPDIR.
const maxTempBase = 80

// socketSafeTempDir makes the server's directory: under the temporary
// directory when its path is short enough, under /tmp otherwise.
func socketSafeTempDir() (string, error) {
	base := os.TempDir()
	if len(base) > maxTempBase {
		base = "/tmp"
	}
	return os.MkdirTemp(base, "ezmdb")
}
