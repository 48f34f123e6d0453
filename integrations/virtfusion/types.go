package virtfusion

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Wire types: only the fields of the contract this driver reads.

type user struct {
	ID            int    `json:"id"`
	ExtRelationID *int   `json:"extRelationId"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Suspended     bool   `json:"suspended"`
}

type ipv4Addr struct {
	Address string `json:"address"`
}

type ipv6Addr struct {
	Subnet string `json:"subnet"`
	Cidr   int    `json:"cidr"`
}

type iface struct {
	IPv4 []ipv4Addr `json:"ipv4"`
	IPv6 []ipv6Addr `json:"ipv6"`
}

type remoteState struct {
	State  string  `json:"state"`
	CPU    float64 `json:"cpu"`
	Memory *struct {
		Actual int64 `json:"actual"`
		Unused int64 `json:"unused"`
	} `json:"memory,omitempty"`
	Agent *struct {
		FSInfo []struct {
			Mountpoint string `json:"mountpoint"`
			UsedBytes  int64  `json:"used-bytes"`
		} `json:"fsinfo"`
	} `json:"agent,omitempty"`
}

type server struct {
	ID               int     `json:"id"`
	OwnerID          int     `json:"ownerId"`
	Name             string  `json:"name"`
	Hostname         *string `json:"hostname"`
	State            string  `json:"state"`
	CommissionStatus int     `json:"commissionStatus"`
	Suspended        bool    `json:"suspended"`
	BuildFailed      bool    `json:"buildFailed"`
	Settings         struct {
		DecryptedPassword string `json:"decryptedPassword,omitempty"`
		// Resources are the server's allowance: memory MB, storage GB.
		Resources struct {
			Memory   int64 `json:"memory"`
			Storage  int64 `json:"storage"`
			CPUCores int64 `json:"cpuCores"`
		} `json:"resources"`
	} `json:"settings"`
	Network struct {
		Interfaces []iface `json:"interfaces"`
	} `json:"network"`
	Owner       *user        `json:"owner,omitempty"`
	RemoteState *remoteState `json:"remoteState,omitempty"`
}

// listServer is an item of GET /servers (paginator, not wrapped in data).
type listServer struct {
	ID           int    `json:"id"`
	Name         string `json:"name"`
	Commissioned int    `json:"commissioned"`
	Owner        int    `json:"owner"`
	Suspended    bool   `json:"suspended"`
}

// UnmarshalJSON reads a listed server whose owner is the user id, as the
// API documents, or the embedded user object some versions answer: a list
// that cannot be read would make every create look for its server in vain.
func (s *listServer) UnmarshalJSON(b []byte) error {
	type plain listServer
	var w struct {
		plain
		Owner json.RawMessage `json:"owner"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	owner, err := ownerID(w.Owner)
	if err != nil {
		return fmt.Errorf("server %d: %w", w.ID, err)
	}
	*s = listServer(w.plain)
	s.Owner = owner
	return nil
}

// ownerID is the user id in an owner field: a number, a numeric string,
// an object with an id, or nothing (0).
func ownerID(raw json.RawMessage) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var n json.Number
	if raw[0] == '{' {
		var u struct {
			ID json.Number `json:"id"`
		}
		if err := json.Unmarshal(raw, &u); err != nil {
			return 0, fmt.Errorf("owner %s: %w", raw, err)
		}
		n = u.ID
	} else if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("owner %s is neither a user id nor a user", raw)
	}
	id, err := strconv.Atoi(string(n))
	if err != nil {
		return 0, fmt.Errorf("owner %s has no whole user id", raw)
	}
	return id, nil
}

type serverPage struct {
	CurrentPage int          `json:"current_page"`
	LastPage    int          `json:"last_page"`
	Data        []listServer `json:"data"`
}

type trafficPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
	RX    int64  `json:"rx"`
	TX    int64  `json:"tx"`
	Total int64  `json:"total"`
	Limit int64  `json:"limit"`
}

type envelope[T any] struct {
	Data T `json:"data"`
}
