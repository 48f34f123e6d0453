package migrations

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMigrationsHoldTheirOwnValues: a migration may not read a list or map
// declared in another file of the package. A shared list (the platforms of
// a select, say) edited for a later change would rewrite what an old
// migration creates, so a fresh install and an upgraded one would differ;
// a change is a new migration instead.
func TestMigrationsHoldTheirOwnValues(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	parsed := map[string]*ast.File{}
	declaredIn := map[string]string{} // list or map variable → its file
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed[name] = f
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i < len(vs.Values) && isListOrMap(vs.Values[i]) {
						declaredIn[id.Name] = name
					}
				}
			}
		}
	}
	migration := regexp.MustCompile(`^\d+_.+\.go$`)
	for name, f := range parsed {
		if !migration.MatchString(name) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			if from, shared := declaredIn[id.Name]; shared && from != name {
				t.Errorf("%s: migration %s reads %s, declared in %s: give it its own literal values",
					fset.Position(id.Pos()), name, id.Name, from)
			}
			return true
		})
	}
}

func isListOrMap(e ast.Expr) bool {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return false
	}
	switch lit.Type.(type) {
	case *ast.ArrayType, *ast.MapType:
		return true
	}
	return false
}
