package hooks

import (
	"errors"

	"github.com/pocketbase/pocketbase/tools/router"
)

// refused turns a domain rule's refusal into a 400 whose message reaches
// the client: PocketBase replaces plain hook errors with a generic
// "Failed to update record.", which tells staff in the dashboard nothing.
func refused(err error) error {
	if err == nil {
		return nil
	}
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return err
	}
	return router.NewBadRequestError(err.Error(), nil)
}
