// Package pbpublic embeds the customer portal, built by `make portal` from
// portal/ into pb_public/portal, so the binary serves it without files
// beside it. A clean clone holds only portal/.gitkeep here: the binary
// then builds, and serves no portal until it is built.
package pbpublic

import (
	"embed"
	"io/fs"
)

//go:embed all:portal
var files embed.FS

// Portal is the built customer portal.
func Portal() fs.FS {
	sub, err := fs.Sub(files, "portal")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return sub
}
