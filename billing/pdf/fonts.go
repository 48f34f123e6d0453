package pdf

import (
	"embed"
	"fmt"
	"sync"

	"github.com/signintech/gopdf"
)

// fontFiles holds DejaVu Sans, which covers Latin, Greek and Cyrillic with
// every accent as well as € and £, and its licence, which asks to travel
// with the font.
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf fonts/LICENSE
var fontFiles embed.FS

// Font family names as registered with gopdf.
const (
	regular = "DejaVuSans"
	bold    = "DejaVuSans-Bold"
)

// parsedFonts parses both TTFs once per process: parsing them costs over
// half as much as rendering a whole invoice, and gopdf only reads the
// parsed tables afterwards, so every render can share them.
var parsedFonts = sync.OnceValues(func() (*gopdf.FontContainer, error) {
	fc := new(gopdf.FontContainer)
	for family, file := range map[string]string{
		regular: "fonts/DejaVuSans.ttf",
		bold:    "fonts/DejaVuSans-Bold.ttf",
	} {
		data, err := fontFiles.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if err := fc.AddTTFFontData(family, data); err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
	}
	return fc, nil
})
