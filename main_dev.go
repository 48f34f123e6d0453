//go:build dev

package main

import (
	"github.com/ezscale/ezscale/commands/devcommands"
	"github.com/ezscale/ezscale/internal/server"
	"github.com/ezscale/ezscale/internal/standins"
)

// The development build (`go build -tags dev`, what make build and make
// run make) adds dev mode's simulators and the seed and bench commands.
func init() {
	server.DevStandIns = standins.Start
	devCommands = devcommands.Register
}
