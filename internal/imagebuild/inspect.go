package imagebuild

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// File is one entry of the image's filesystem.
type File struct {
	Path     string
	Dir      bool
	Mode     int64 // permission bits with setuid/setgid/sticky, as in the tar header
	UID, GID int
	Size     int64
}

// Report is what an image tarball holds, read back from the file: what
// `make image` prints and the test checks.
type Report struct {
	ID                string // the config's digest: the image ID `docker load` and `docker images` show
	Config            v1.ConfigFile
	Files             []File
	LayerCompressed   int64 // bytes of the gzip layers (what a registry stores and a pull moves)
	LayerUncompressed int64
	TarballSize       int64 // the whole docker-loadable file
}

// Inspect reads the image tarball at path. fn, when set, is called with
// each regular file's path and contents, e.g. to extract the binary.
func Inspect(path string, fn func(name string, r io.Reader) error) (*Report, error) {
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	rep := &Report{TarballSize: st.Size()}
	id, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	rep.ID = id.String()
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	rep.Config = *cf
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		rep.LayerCompressed += size
		if err := readLayer(l, rep, fn); err != nil {
			return nil, err
		}
	}
	sort.Slice(rep.Files, func(i, j int) bool { return rep.Files[i].Path < rep.Files[j].Path })
	return rep, nil
}

func readLayer(l v1.Layer, rep *Report, fn func(string, io.Reader) error) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		f := File{Path: "/" + strings.TrimSuffix(h.Name, "/"), Dir: h.Typeflag == tar.TypeDir,
			Mode: h.Mode, UID: h.Uid, GID: h.Gid, Size: h.Size}
		rep.Files = append(rep.Files, f)
		rep.LayerUncompressed += h.Size
		if h.Typeflag == tar.TypeReg && fn != nil {
			if err := fn(f.Path, tr); err != nil {
				return err
			}
		}
	}
}

// String is the report as `ezscale-image --inspect` prints it.
func (r *Report) String() string {
	var b strings.Builder
	c := r.Config.Config
	fmt.Fprintf(&b, "image ID %s (%s/%s, created %s)\n", r.ID, r.Config.OS, r.Config.Architecture,
		r.Config.Created.UTC().Format("2006-01-02T15:04:05Z"))
	fmt.Fprintf(&b, "user %s, workdir %s, entrypoint %q, cmd %q\n", c.User, c.WorkingDir, c.Entrypoint, c.Cmd)
	fmt.Fprintf(&b, "volumes %v, ports %v\n", keys(c.Volumes), keys(c.ExposedPorts))
	for _, k := range keys(c.Labels) {
		fmt.Fprintf(&b, "label %s=%s\n", k, c.Labels[k])
	}
	fmt.Fprintf(&b, "size: layer %s compressed (%s uncompressed), tarball %s\n",
		mib(r.LayerCompressed), mib(r.LayerUncompressed), mib(r.TarballSize))
	for _, f := range r.Files {
		kind := "-"
		if f.Dir {
			kind = "d"
		}
		fmt.Fprintf(&b, "%s %04o %5d:%-5d %10d %s\n", kind, f.Mode, f.UID, f.GID, f.Size, f.Path)
	}
	return b.String()
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n) }
