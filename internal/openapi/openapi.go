// Package openapi holds the OpenAPI 3.1 document of the platform's own
// routes and of the collections customers may use. The document is the
// checked-in source of truth (openapi.json); a test compares its paths
// with the routes the app registers, both ways, so it cannot drift.
package openapi

import _ "embed"

//go:embed openapi.json
var document []byte

// Document is the OpenAPI document, JSON. Callers must not modify it.
func Document() []byte { return document }
