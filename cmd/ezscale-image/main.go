// Command ezscale-image builds the container image of the production binary
// as a docker-loadable tarball, without a Docker daemon (make image), and
// inspects one (--inspect). See internal/imagebuild and README "Deploying".
package main

import (
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/ezscale/ezscale/internal/imagebuild"
)

func main() {
	var (
		opts    imagebuild.Options
		created string
		tag     string
		out     string
		inspect string
	)
	flag.StringVar(&opts.Binary, "binary", "bin/ezscale-release", "the static linux/amd64 production binary (make release)")
	flag.StringVar(&opts.CABundle, "ca", imagebuild.CABundle, "the PEM CA bundle to ship")
	flag.StringVar(&opts.Version, "version", "", "the release version (org.opencontainers.image.version)")
	flag.StringVar(&opts.Commit, "commit", "", "the commit (org.opencontainers.image.revision)")
	flag.StringVar(&created, "created", "", "the commit's time, RFC 3339: every timestamp in the image")
	flag.StringVar(&tag, "tag", "", "the image's name in the tarball, e.g. ghcr.io/ezscale/ezscale:v1.2.3")
	flag.StringVar(&out, "out", "bin/ezscale-image.tar", "where to write the tarball")
	flag.StringVar(&inspect, "inspect", "", "print what the image tarball at this path holds, and build nothing")
	flag.Parse()
	log.SetFlags(0)

	if inspect != "" {
		rep, err := imagebuild.Inspect(inspect, nil)
		if err != nil {
			log.Fatalf("inspect %s: %v", inspect, err)
		}
		fmt.Print(rep)
		return
	}
	t, err := time.Parse(time.RFC3339, created)
	if err != nil {
		log.Fatalf("--created %q: want an RFC 3339 time (the commit's date)", created)
	}
	opts.Created = t
	if tag == "" {
		tag = "ezscale:" + opts.Version
	}
	img, err := imagebuild.Build(opts)
	if err != nil {
		log.Fatal(err)
	}
	if err := imagebuild.WriteTarball(img, tag, out); err != nil {
		log.Fatal(err)
	}
	rep, err := imagebuild.Inspect(out, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s (%s)\n%s", out, tag, rep)
}
