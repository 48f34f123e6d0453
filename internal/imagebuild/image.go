// Package imagebuild makes the container image of the production binary
// without a Docker daemon (go-containerregistry): one layer from scratch with
// the static binary, the build machine's CA bundle (Stripe's and PayPal's TLS),
// a non-root user and the data directory as a volume. Every timestamp is the
// commit's, so one commit always gives the same image digest. It is used by
// cmd/ezscale-image (make image) and is never linked into the server.
package imagebuild

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's fixed shape; the test reads it back from the written tarball.
const (
	// UID and GID of the `ezscale` user the server runs as (distroless'
	// "nonroot" number, so volumes made for that image keep working).
	UID = 65532
	GID = 65532

	BinaryPath = "/ezscale"
	DataDir    = "/pb_data"
	// CABundle is where Go's TLS looks first on Linux, in the image and on
	// the Debian/Ubuntu build machine it is copied from.
	CABundle   = "/etc/ssl/certs/ca-certificates.crt"
	Port       = "8090/tcp"
	SourceURL  = "https://github.com/ezscale/ezscale"
	User       = "65532:65532"
	WorkingDir = "/"
	passwdFile = "root:x:0:0:root:/root:/sbin/nologin\nezscale:x:65532:65532:ezscale:/pb_data:/sbin/nologin\n"
	groupFile  = "root:x:0:\nezscale:x:65532:\n"
)

// Options say what goes into the image.
type Options struct {
	Binary   string    // path of the static linux/amd64 production binary (bin/ezscale-release)
	CABundle string    // path of the PEM CA bundle to ship; the build machine's CABundle when empty
	Version  string    // org.opencontainers.image.version
	Commit   string    // org.opencontainers.image.revision
	Created  time.Time // the commit's time: every file's and the image's timestamp
}

func (o Options) validate() error {
	var errs []error
	if o.Binary == "" {
		errs = append(errs, errors.New("the binary's path is required"))
	}
	if o.Version == "" || o.Commit == "" {
		errs = append(errs, errors.New("version and commit are required (they label the image)"))
	}
	if o.Created.IsZero() {
		errs = append(errs, errors.New("the creation time is required (the commit's date, for a reproducible image)"))
	}
	return errors.Join(errs...)
}

// Build assembles the image in memory.
func Build(o Options) (v1.Image, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.CABundle == "" {
		o.CABundle = CABundle
	}
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, fmt.Errorf("binary: %w", err)
	}
	if !bytes.HasPrefix(bin, []byte("\x7fELF")) {
		return nil, fmt.Errorf("binary %s is not an ELF executable (build it with GOOS=linux: make release)", o.Binary)
	}
	ca, err := os.ReadFile(o.CABundle)
	if err != nil {
		return nil, fmt.Errorf("CA bundle (needed for Stripe and PayPal TLS): %w", err)
	}
	if !bytes.Contains(ca, []byte("-----BEGIN CERTIFICATE-----")) {
		return nil, fmt.Errorf("CA bundle %s holds no PEM certificate", o.CABundle)
	}
	created := o.Created.UTC()
	layerTar, err := rootFS(created, bin, ca)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: created},
			CreatedBy: "ezscale-image: ezscale " + o.Version,
			Comment:   "static binary, CA bundle, user ezscale (65532), /pb_data, /tmp",
		},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Created = v1.Time{Time: created}
	cf.Config = v1.Config{
		User:         User,
		WorkingDir:   WorkingDir,
		Entrypoint:   []string{BinaryPath},
		Cmd:          []string{"serve", "--http=0.0.0.0:8090", "--dir=" + DataDir},
		Volumes:      map[string]struct{}{DataDir: {}},
		ExposedPorts: map[string]struct{}{Port: {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":    "ezscale",
			"org.opencontainers.image.version":  o.Version,
			"org.opencontainers.image.revision": o.Commit,
			"org.opencontainers.image.created":  created.Format(time.RFC3339),
			"org.opencontainers.image.source":   SourceURL,
		},
	}
	return mutate.ConfigFile(img, cf)
}

// rootFS is the layer's tar: directories first, every entry with a fixed
// owner, mode and time so the digest depends on the contents alone.
func rootFS(at time.Time, bin, ca []byte) ([]byte, error) {
	type entry struct {
		name     string
		mode     int64
		uid, gid int
		body     []byte
		dir      bool
	}
	entries := []entry{
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, body: []byte(groupFile)},
		{name: "etc/passwd", mode: 0o644, body: []byte(passwdFile)},
		{name: "etc/ssl/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, body: ca},
		{name: "ezscale", mode: 0o755, body: bin},
		{name: "pb_data/", mode: 0o750, uid: UID, gid: GID, dir: true},
		{name: "tmp/", mode: 0o1777, dir: true},
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: at, Format: tar.FormatPAX,
			Typeflag: tar.TypeReg, Size: int64(len(e.body))}
		if e.dir {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteTarball writes img as a docker-loadable tarball (`docker load -i`,
// `skopeo copy docker-archive:...`, `crane push`) tagged tag.
func WriteTarball(img v1.Image, tag, path string) error {
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("tag %q: %w", tag, err)
	}
	return tarball.WriteToFile(path, ref, img)
}
