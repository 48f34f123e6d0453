package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// statementPlan is an SQL statement the API ran and SQLite's plan for it.
type statementPlan struct {
	SQL  string
	Plan []string
}

// listPlans sends one list request as c through h, records the SQL the
// list rule produced for the services table (the page and its count), and
// asks SQLite how it runs each statement.
func listPlans(app core.App, h http.Handler, c customer) ([]statementPlan, error) {
	var statements []string
	record := func(_ context.Context, _ time.Duration, sql string, _ *sql.Rows, _ error) {
		if strings.Contains(sql, "FROM `services`") {
			statements = append(statements, sql)
		}
	}
	var dbs []*dbx.DB
	for _, b := range []dbx.Builder{app.ConcurrentDB(), app.NonconcurrentDB()} {
		if db, ok := b.(*dbx.DB); ok {
			dbs = append(dbs, db)
		}
	}
	// The request runs on this goroutine, before any client starts.
	for _, db := range dbs {
		prev := db.QueryLogFunc
		db.QueryLogFunc = record
		defer func() { db.QueryLogFunc = prev }()
	}
	req, err := listRequest("", c)
	if err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("list request: status %d: %s", rec.Code, rec.Body)
	}
	if len(statements) == 0 {
		return nil, fmt.Errorf("the list request ran no query on services")
	}

	out := make([]statementPlan, len(statements))
	for i, s := range statements {
		var rows []struct {
			Detail string `db:"detail"`
		}
		// dbx resolves the [[column]] quoting the logged statement keeps.
		if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + s).All(&rows); err != nil {
			return nil, fmt.Errorf("explain %s: %w", s, err)
		}
		out[i].SQL = unquoteMarks(s)
		for _, r := range rows {
			out[i].Plan = append(out[i].Plan, r.Detail)
		}
	}
	return out, nil
}

var quoteMark = regexp.MustCompile(`\[\[([^\]]+)\]\]|\{\{([^}]+)\}\}`)

// unquoteMarks writes dbx's [[table.column]] and {{table}} marks as
// SQLite quotes them, for display.
func unquoteMarks(s string) string {
	return quoteMark.ReplaceAllStringFunc(s, func(m string) string {
		return "`" + strings.ReplaceAll(m[2:len(m)-2], ".", "`.`") + "`"
	})
}

// checkPlans fails when a statement reads all of services (a SCAN of the
// table or of an index) instead of searching idx_services_customer.
func checkPlans(plans []statementPlan) error {
	for _, p := range plans {
		indexed := false
		for _, step := range p.Plan {
			if strings.HasPrefix(step, "SCAN services") {
				return fmt.Errorf("full scan of services (%s) in %s", step, p.SQL)
			}
			indexed = indexed || strings.Contains(step, "idx_services_customer")
		}
		if !indexed {
			return fmt.Errorf("idx_services_customer is not used by %s: %s", p.SQL, strings.Join(p.Plan, "; "))
		}
	}
	return nil
}
