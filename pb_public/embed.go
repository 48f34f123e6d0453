// Package pbpublic embeds the customer portal and the staff console so the
// binary serves them without files beside it.
package pbpublic

import (
	"embed"
	"io/fs"
)

//go:embed index.html
var files embed.FS

// FS is the portal's static files.
func FS() fs.FS { return files }
