package hooks

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
)

// maxServiceLabel is the longest name a customer may give a service, in
// characters: it has to fit a list row and a card title.
const maxServiceLabel = 60

// renameService sets the service's label, the name its owner knows it by,
// and nothing else: the record API stays closed to customers (services
// have no update rule), so this route is the only way a customer changes
// a service. The save is audited as the caller through the request's
// context.
func renameService(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	var body struct {
		Label string `json:"label"`
	}
	if err := decodeJSON(e, &body); err != nil {
		return err
	}
	label, msg := cleanServiceLabel(body.Label)
	if msg != "" {
		return e.BadRequestError("Invalid service name: "+msg+".", fieldError("label", "invalid", msg))
	}
	if label != svc.Label() {
		svc.SetLabel(label)
		if err := e.App.SaveWithContext(e.Request.Context(), svc); err != nil {
			return err
		}
	}
	return e.JSON(http.StatusOK, map[string]any{"id": svc.Id, "label": label})
}

// cleanServiceLabel trims a proposed name and says what is wrong with it,
// if anything: it must be 1 to maxServiceLabel characters with no control
// or invisible formatting characters (which could disguise it in lists).
func cleanServiceLabel(s string) (label, problem string) {
	label = strings.TrimSpace(s)
	if !utf8.ValidString(label) {
		return "", "must be valid text"
	}
	n := utf8.RuneCountInString(label)
	if n == 0 {
		return "", "enter a name"
	}
	if n > maxServiceLabel {
		return "", "use at most 60 characters"
	}
	for _, r := range label {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", "remove control characters such as line breaks and tabs"
		}
	}
	return label, ""
}
