package tax

import (
	"regexp"
	"strings"
	"unicode"
)

// euMembers are the ISO 3166-1 alpha-2 codes of the 27 EU member states.
// Greece is "GR" here even though its VAT ids start with "EL".
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true,
	"DK": true, "EE": true, "ES": true, "FI": true, "FR": true, "GR": true,
	"HR": true, "HU": true, "IE": true, "IT": true, "LT": true, "LU": true,
	"LV": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true,
	"SE": true, "SI": true, "SK": true,
}

// IsEU reports whether country, an upper-case ISO 3166-1 alpha-2 code, is an
// EU member state, where EU VAT rules such as the reverse charge apply.
func IsEU(country string) bool { return euMembers[country] }

// vatFormats holds, per VAT id prefix, the shape of the part after the
// prefix, as the member states publish it. Only the shape is checked, not
// the national check digits.
var vatFormats = func() map[string]*regexp.Regexp {
	formats := map[string]string{
		"AT": `U\d{8}`,
		"BE": `[01]\d{9}`,
		"BG": `\d{9,10}`,
		"CY": `\d{8}[A-Z]`,
		"CZ": `\d{8,10}`,
		"DE": `\d{9}`,
		"DK": `\d{8}`,
		"EE": `\d{9}`,
		"EL": `\d{9}`,
		"ES": `[A-Z0-9]\d{7}[A-Z0-9]`,
		"FI": `\d{8}`,
		"FR": `[A-Z0-9]{2}\d{9}`,
		"HR": `\d{11}`,
		"HU": `\d{8}`,
		// Old form: a digit, a letter, '+' or '*', five digits and a check
		// letter. Current form: seven digits and a check letter (A-W),
		// optionally followed by a letter worth 0-9 (W, A-I) since 2013.
		"IE": `\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W]`,
		"IT": `\d{11}`,
		"LT": `\d{9}|\d{12}`,
		"LU": `\d{8}`,
		"LV": `\d{11}`,
		"MT": `\d{8}`,
		"NL": `\d{9}B\d{2}`,
		"PL": `\d{10}`,
		"PT": `\d{9}`,
		"RO": `\d{2,10}`,
		// The ten-digit organisation number followed by "01".
		"SE": `\d{10}01`,
		"SI": `\d{8}`,
		"SK": `\d{10}`,
	}
	compiled := make(map[string]*regexp.Regexp, len(formats))
	for prefix, f := range formats {
		compiled[prefix] = regexp.MustCompile(`^(?:` + f + `)$`)
	}
	return compiled
}()

// ValidVATFormat reports whether vatID is shaped like an EU VAT
// identification number, and returns the ISO country code of the member
// state that issued it. Spaces, dots and dashes are ignored and letters may
// be in either case, since people copy ids from letterheads. The id must
// start with its VAT prefix, which is the country code except for Greece:
// "EL", reported as country "GR"; "GR…" is refused as no VAT id uses it.
//
// It checks the format only, which catches typos and ids from the wrong
// country but not ids that were never issued or have been revoked. A
// real-time check against the Commission's VIES service can be added on top
// of it later, at the cost of a network call that VIES does not always answer.
func ValidVATFormat(vatID string) (country string, ok bool) {
	id := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '-' {
			return -1
		}
		return r
	}, vatID))
	if len(id) < 2 {
		return "", false
	}
	prefix := id[:2]
	format, known := vatFormats[prefix]
	if !known || !format.MatchString(id[2:]) {
		return "", false
	}
	if prefix == "EL" {
		return "GR", true
	}
	return prefix, true
}
