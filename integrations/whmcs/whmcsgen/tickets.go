package whmcsgen

import (
	"fmt"
	"slices"
	"time"
)

var (
	ticketTitles = []string{"DNS &amp; SSL setup", "Upgrade request 🚀", "Need rDNS for my IP", "Refund request",
		"Server not responding", "Invoice question", "Can&#039;t log in", "Migration help 🙏", "Backup restore",
		"Abuse report &lt;urgent&gt;"}
	ticketBodies = []string{
		"Please set reverse DNS to mail.example.net for my primary IP.",
		"Der Server antwortet nicht mehr. Können Sie das prüfen?",
		"Je n&#039;arrive pas à me connecter à l&#039;espace client.",
		"Everything works now, thanks a lot! 🙏",
		"I was charged twice &ndash; please check transaction history.",
		"The panel shows &lt;code 35&gt; when I restart the server.",
		"Could you move my site to the new plan before Friday?",
	}
	staff        = []string{"Sam Fixturewright", "Jo Placeholder", "Alex Mockingham"}
	staffReplies = []string{
		"Hello,\n\nI&#039;ve credited the duplicate charge back to your account balance.",
		"Hi,\n\nThe server is back online; the host node was rebooted after a kernel update.",
		"**Done.** Reverse DNS is set:\n\n- `mail.example.net`\n\nIt can take an hour to propagate.",
		"Hello,\n\nCould you send us the output of `traceroute` from your side? 🙂",
	}
	ticketStatuses = []weighted{{"Closed", 55}, {"Answered", 15}, {"Customer-Reply", 8}, {"Open", 10},
		{"In Progress", 6}, {"On Hold", 6}}
)

// writeTickets writes tickets and their replies: guest tickets carry a
// name and address, client ones not (WHMCS takes them from the client);
// staff replies have userid 0 and the staff member in admin.
func (g *gen) writeTickets() error {
	tickets := g.w.table("tbltickets", "id", "tid", "did", "userid", "contactid", "requestor_id",
		"prevent_client_closure", "name", "email", "cc", "c", "ipaddress", "date", "title", "message", "status", "urgency",
		"admin", "attachment", "attachments_removed", "lastreply", "flag", "clientunread", "adminunread", "replyingadmin",
		"replyingtime", "service", "merged_ticket_id", "editor", "pinned_at", "updated_at")
	replies := g.w.table("tblticketreplies", "id", "tid", "userid", "contactid", "requestor_id", "name", "email", "date",
		"message", "admin", "attachment", "attachments_removed", "rating", "editor")
	type ticket struct {
		c     *client
		guest string
		date  time.Time
	}
	list := make([]ticket, g.size.Tickets)
	deleted := max(1, g.size.Tickets/1000)
	for i := range list {
		switch {
		case i < deleted:
			list[i] = ticket{date: g.between(firstDay, Now)}
		case g.chance(8) || i == deleted:
			list[i] = ticket{guest: fmt.Sprintf("%s %s", firstNames[g.r.IntN(len(firstNames))],
				lastNames[g.r.IntN(len(lastNames))]), date: g.between(firstDay, Now)}
		default:
			c := g.clients[g.r.IntN(len(g.clients))]
			list[i] = ticket{c: c, date: g.between(c.since, Now)}
		}
	}
	slices.SortStableFunc(list, func(a, b ticket) int { return a.date.Compare(b.date) })
	tids := map[string]bool{}
	replyID := 0
	for i, tk := range list {
		id := i + 1
		userid, requestor, name, email, service := 0, 0, "", "", ""
		signature := ""
		switch {
		case tk.c != nil:
			userid, requestor, signature = tk.c.id, tk.c.user, tk.c.first
			if len(tk.c.services) > 0 && g.chance(25) {
				service = fmt.Sprintf("S%d", tk.c.services[g.r.IntN(len(tk.c.services))].id)
			}
		case tk.guest != "":
			name, email, signature = tk.guest, fmt.Sprintf("visitor%d@example.net", id), tk.guest
		default:
			userid, signature = len(g.clients)+100+i, "Former customer"
		}
		tid := fmt.Sprintf("%06d", g.r.IntN(1e6))
		if g.chance(30) {
			tid = string([]byte{byte('A' + g.r.IntN(26)), byte('A' + g.r.IntN(26)), byte('A' + g.r.IntN(26))}) + "-" + tid
		}
		for tids[tid] {
			tid += fmt.Sprint(g.r.IntN(10))
		}
		tids[tid] = true
		status := g.oneOf(ticketStatuses...)
		n := g.r.IntN(5)
		if status == "Open" && g.chance(50) {
			n = 0
		}
		at := tk.date
		lastReply := zeroDateTime
		if n > 0 || status != "Open" {
			lastReply = dateTime(at)
		}
		for k := range n {
			at = at.Add(time.Duration(1+g.r.IntN(48*60)) * time.Minute)
			replyID++
			lastReply = dateTime(at)
			if k%2 == 0 {
				editor := "plain"
				if g.chance(20) {
					editor = "markdown"
				}
				who := staff[g.r.IntN(len(staff))]
				rating := 0
				if g.chance(20) {
					rating = 1 + g.r.IntN(5)
				}
				replies.add(replyID, id, 0, 0, 0, "", "", dateTime(at), staffReplies[g.r.IntN(len(staffReplies))]+
					"\n\nBest regards,\n"+who, who, "", 0, rating, editor)
				continue
			}
			attachment := ""
			if g.chance(15) {
				attachment = fmt.Sprintf("%06d_screenshot.png", g.r.IntN(1e6))
			}
			replies.add(replyID, id, userid, 0, requestor, name, email, dateTime(at),
				ticketBodies[g.r.IntN(len(ticketBodies))]+"\n\n"+signature, "", attachment, 0, 0, "plain")
		}
		message := []string{"Hi team,", "Hello,", "Hallo zusammen,", "Hi there 👋"}[g.r.IntN(4)] + "\n\n" +
			ticketBodies[g.r.IntN(len(ticketBodies))] + "\n\nThanks,\n" + signature
		updated := lastReply
		if updated == zeroDateTime {
			updated = dateTime(tk.date)
		}
		tickets.add(id, tid, 1+g.r.IntN(3), userid, 0, requestor, 0, name, email, "", g.token(8), g.ip(), dateTime(tk.date),
			ticketTitles[g.r.IntN(len(ticketTitles))], message, status, g.oneOf(weighted{"Low", 3}, weighted{"Medium", 5},
				weighted{"High", 2}), "", "", 0, lastReply, 0, g.r.IntN(2), "", 0, zeroDateTime, service, 0, "plain", nil, updated)
	}
	if err := tickets.close(); err != nil {
		return err
	}
	return replies.close()
}
