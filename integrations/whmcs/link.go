package whmcs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
)

// LinkOptions shape a link run.
type LinkOptions struct {
	// DryRun looks every service up and reports, writing nothing.
	DryRun bool
	// Drivers are the configured platforms by name. A service whose
	// platform is missing here, or cannot look servers up (no
	// provisioning.Linker), is reported as platform not configured.
	Drivers map[string]provisioning.Provisioner
	// Progress receives a line per few hundred services.
	Progress io.Writer
}

// Outcomes of a service in a link run.
const (
	LinkLinked        = "linked"
	LinkAlready       = "already_linked"
	LinkNotFound      = "not_found"
	LinkAmbiguous     = "several_candidates"
	LinkPanelError    = "panel_error"
	LinkNotConfigured = "platform_not_configured"
	LinkConflict      = "conflict"
)

// giveUpAfter panel errors in a row, a platform is not asked again in
// the run: its remaining services are reported as panel errors.
const giveUpAfter = 3

// vfServersTable is where VirtFusion's WHMCS module records the server of
// each service (service_id, server_id).
const vfServersTable = "mod_virtfusion_direct"

// Link ties imported services to the servers already running on their
// panels, the way each panel's WHMCS module identifies them (see the
// drivers' Link), so dunning, the status sync, power, credentials and
// panel login reach them. It looks at every imported service that is live
// (not terminated or cancelled) on a panel platform; one linked already
// is left as it is, so runs can repeat. Panels are asked outside any
// transaction; each link is then written in its own, after checking the
// service is still unlinked and the server linked to no other service.
// src is the WHMCS database, read for VirtFusion's server records (nil:
// none).
func Link(ctx context.Context, app core.App, src *sql.DB, opts LinkOptions) (*LinkReport, error) {
	out := opts.Progress
	if out == nil {
		out = io.Discard
	}
	rep := &LinkReport{DryRun: opts.DryRun, StartedAt: time.Now().UTC()}
	services, err := linkCandidates(app)
	if err != nil {
		return rep, err
	}
	recorded, err := vfRecorded(ctx, src, services)
	if err != nil {
		return rep, err
	}
	if recorded == nil && hasUnlinked(services, "virtfusion") {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s is not in the WHMCS database: VirtFusion servers are matched by their owner's hostname or IP addresses", vfServersTable))
	}
	errorsInRow := map[string]int{}
	claimed := map[string]string{} // platform/platform id → our service linked to it in this run
	actx := audit.WithActor(ctx, audit.Job("whmcs-link"))
	for i, s := range services {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		e := LinkEntry{Service: s.ID, WHMCSID: s.WHMCSID, Platform: s.Platform}
		linker, _ := opts.Drivers[s.Platform].(provisioning.Linker)
		switch {
		case s.PlatformServiceID != "":
			e.Outcome, e.PlatformServiceID, e.PlatformUserID = LinkAlready, s.PlatformServiceID, s.PlatformUserID
		case linker == nil:
			e.Outcome, e.Reason = LinkNotConfigured, fmt.Sprintf("no %s panel is configured to look it up on", s.Platform)
		case errorsInRow[s.Platform] >= giveUpAfter:
			e.Outcome, e.Reason = LinkPanelError, fmt.Sprintf("not asked: %s failed %d times in a row", s.Platform, giveUpAfter)
		default:
			if servers := recorded[s.WHMCSID]; s.Platform == "virtfusion" && len(servers) > 1 {
				e.Outcome, e.Reason = LinkAmbiguous, fmt.Sprintf("%s records servers %s for it", vfServersTable, strings.Join(servers, ", "))
				break
			}
			found, err := linker.Link(ctx, s.request(recorded))
			e.classify(found, err)
			if e.Outcome == LinkPanelError {
				errorsInRow[s.Platform]++
			} else {
				errorsInRow[s.Platform] = 0
			}
			if e.Outcome == LinkLinked {
				e.write(actx, app, claimed, opts.DryRun)
			}
		}
		rep.add(e)
		if (i+1)%200 == 0 || i+1 == len(services) {
			fmt.Fprintf(out, "  services: %d of %d\n", i+1, len(services))
		}
	}
	rep.FinishedAt = time.Now().UTC()
	return rep, nil
}

// linkService is an imported service as the link reads it.
type linkService struct {
	ID                string `db:"id"`
	WHMCSID           string `db:"whmcs_id"`
	Platform          string `db:"platform"`
	Hostname          string `db:"hostname"`
	Domain            string `db:"domain"`
	IPs               string `db:"ip_addresses"`
	PlatformServiceID string `db:"platform_service_id"`
	PlatformUserID    string `db:"platform_user_id"`
	Client            string `db:"client"`
}

// linkCandidates are the live imported services on a panel platform, in
// WHMCS order.
func linkCandidates(app core.App) ([]linkService, error) {
	var rows []linkService
	err := app.DB().NewQuery(`SELECT s.id, s.whmcs_id, s.platform, s.hostname, s.domain, s.ip_addresses,
		s.platform_service_id, s.platform_user_id, COALESCE(c.whmcs_id, '') AS client
		FROM services s LEFT JOIN customers c ON c.id = s.customer
		WHERE s.whmcs_id != '' AND s.status NOT IN ('terminated', 'cancelled') AND s.platform NOT IN ('', 'manual')
		ORDER BY CAST(s.whmcs_id AS INTEGER), s.whmcs_id`).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("read imported services: %w", err)
	}
	return rows, nil
}

func hasUnlinked(services []linkService, platform string) bool {
	for _, s := range services {
		if s.Platform == platform && s.PlatformServiceID == "" {
			return true
		}
	}
	return false
}

// vfRecorded reads VirtFusion's WHMCS module table: the server ids it
// recorded per WHMCS service id. nil when the table is not there (the
// module never ran) or nothing needs it.
func vfRecorded(ctx context.Context, src *sql.DB, services []linkService) (map[string][]string, error) {
	if src == nil || !hasUnlinked(services, "virtfusion") {
		return nil, nil
	}
	rows, err := src.QueryContext(ctx, "SELECT service_id, server_id FROM "+vfServersTable+
		" WHERE service_id IS NOT NULL AND server_id IS NOT NULL ORDER BY service_id, server_id")
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1146 { // ER_NO_SUCH_TABLE
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", vfServersTable, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var service, server int64
		if err := rows.Scan(&service, &server); err != nil {
			return nil, fmt.Errorf("read %s: %w", vfServersTable, err)
		}
		key, id := strconv.FormatInt(service, 10), strconv.FormatInt(server, 10)
		if !contains(out[key], id) {
			out[key] = append(out[key], id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", vfServersTable, err)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// request is what the panel is asked about the service.
func (s linkService) request(recorded map[string][]string) provisioning.LinkRequest {
	req := provisioning.LinkRequest{ServiceID: s.ID, WHMCSServiceID: s.WHMCSID, WHMCSClientID: s.Client,
		Hostname: s.Hostname, Domain: s.Domain}
	if s.Platform == "virtfusion" && len(recorded[s.WHMCSID]) == 1 {
		req.WHMCSServerID = recorded[s.WHMCSID][0]
	}
	_ = json.Unmarshal([]byte(s.IPs), &req.IPs)
	return req
}

// classify sets the entry's outcome from the panel's answer.
func (e *LinkEntry) classify(found provisioning.Linked, err error) {
	switch {
	case err == nil:
		e.Outcome, e.PlatformServiceID, e.PlatformUserID, e.Reason = LinkLinked, found.PlatformServiceID, found.PlatformUserID, "by "+found.How
	case provisioning.IsAmbiguous(err):
		e.Outcome, e.Reason = LinkAmbiguous, err.Error()
	case errors.Is(err, provisioning.ErrNotFound):
		e.Outcome, e.Reason = LinkNotFound, strings.TrimPrefix(err.Error(), provisioning.ErrNotFound.Error()+": ")
	case errors.Is(err, provisioning.ErrNoLinkKey):
		e.Outcome, e.Reason = LinkNotFound, err.Error()
	default:
		e.Outcome, e.Reason = LinkPanelError, err.Error()
	}
	if e.Outcome == LinkNotFound && e.Reason == provisioning.ErrNotFound.Error() {
		e.Reason = "no server for it on the panel"
	}
}

// write records a found server on the service, unless the server is
// linked to another service already (in the database or earlier in the
// run) or the service changed since it was read. In a dry run only the
// checks are made.
func (e *LinkEntry) write(ctx context.Context, app core.App, claimed map[string]string, dryRun bool) {
	key := e.Platform + "/" + e.PlatformServiceID
	if other, ok := claimed[key]; ok {
		e.conflict("server %s is also the one found for service %s", e.PlatformServiceID, other)
		return
	}
	if other, err := app.FindFirstRecordByFilter("services", "platform = {:p} && platform_service_id = {:id} && id != {:s}",
		dbx.Params{"p": e.Platform, "id": e.PlatformServiceID, "s": e.Service}); err == nil {
		e.conflict("server %s is linked to service %s (WHMCS %s) already", e.PlatformServiceID, other.Id, other.GetString("whmcs_id"))
		return
	}
	claimed[key] = e.Service
	if dryRun {
		return
	}
	err := app.RunInTransaction(func(tx core.App) error {
		svc, err := tx.FindRecordById("services", e.Service)
		if err != nil {
			return err
		}
		switch svc.GetString("status") {
		case "terminated", "cancelled":
			return fmt.Errorf("it was %s meanwhile", svc.GetString("status"))
		}
		if id := svc.GetString("platform_service_id"); id != "" && id != e.PlatformServiceID {
			return fmt.Errorf("it was linked to server %s meanwhile", id)
		}
		svc.Set("platform_service_id", e.PlatformServiceID)
		svc.Set("platform_user_id", e.PlatformUserID)
		return tx.SaveWithContext(ctx, svc)
	})
	if err != nil {
		e.conflict("not written: %v", err)
	}
}

func (e *LinkEntry) conflict(format string, a ...any) {
	e.Outcome, e.Reason = LinkConflict, fmt.Sprintf(format, a...)
	e.PlatformServiceID, e.PlatformUserID = "", ""
}
