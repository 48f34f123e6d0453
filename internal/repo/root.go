// Package repo locates the repository a test or a development tool runs
// in, for the scripts and shared fixtures that live beside the code.
package repo

import (
	"errors"
	"os"
	"path/filepath"
)

// Root walks up from the working directory (a test's is its package's)
// to the directory holding go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
