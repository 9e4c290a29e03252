package blob

import (
	"fmt"
	"os"
	"slices"
)

// Group commit of directory fsyncs.
//
// A write is durable once its file's data is (an fsync of the file, before
// the rename that publishes it) and once the directory entry the rename
// made is (an fsync of the directory, after the rename). The file fsyncs
// cannot be shared: each one writes that file's own dirty pages. The
// directory fsyncs can: one fsync of a directory, started after several
// renames into it have completed, makes all of them durable.
//
// Writers into one directory therefore form groups. A writer enlists in
// the directory's open group just before it fsyncs its file (a small file;
// a large one after, see flush), renames, then settles: the first member
// to settle closes the group to newcomers (who form the next one), and
// the last member to settle (every other member has then made its change
// or failed) fsyncs the directory once for all of them; the others wait
// for that fsync and return its result. Nobody waits for company that is
// not already there: a lone writer enlists, finds nobody else, and fsyncs
// the directory itself right after its rename, as before. N writers whose
// file fsyncs overlap cost N file fsyncs and one directory fsync.
//
// Crash safety is unchanged from one fsync per writer: each member's
// acknowledgement still waits for an fsync of its directory that began
// after its own rename (the leader starts it only once every member has
// settled, and a member settles only after its rename), and each file is
// still fsynced before it is renamed. Members may hold descriptors of
// different directories with one path (a bucket deleted and created again
// in between, possibly by another replica of a Shared root): the leader
// fsyncs one descriptor per distinct directory among them, so each
// member's own descriptor, opened before its rename as before, is covered.
//
// No member waits for a group while holding a bucket lock, and a writer
// is a member of at most one group at a time, so groups cannot wait on
// each other.

// syncGroup is one group of writers into a directory; the store's
// groupMu guards every field but err.
type syncGroup struct {
	pending int        // members that have not settled yet
	closed  bool       // a member settled: newcomers form the next group
	dirs    []*os.File // directories to fsync, attached by settling members
	done    chan struct{}
	err     error // the fsync's result, set before done closes
}

// dirGroups are the groups of one directory whose fsync has not begun,
// oldest first; only the newest may be open.
type dirGroups []*syncGroup

// earlyEnlist is the largest file that enlists before its own fsync: a
// larger file's fsync may take long enough that smaller writers should
// not wait for it, so it enlists once its data is durable.
const earlyEnlist = 1 << 20

// enlist joins dir's open group (forming one if there is none); nil when
// the store does not fsync. Every enlist is followed by one settle.
func (s *Store) enlist(dir string) *syncGroup {
	if !s.sync {
		return nil
	}
	s.groupMu.Lock()
	defer s.groupMu.Unlock()
	q := s.groups[dir]
	if len(q) == 0 || q[len(q)-1].closed {
		if s.groups == nil {
			s.groups = make(map[string]dirGroups)
		}
		q = append(q, &syncGroup{done: make(chan struct{})})
		s.groups[dir] = q
	}
	g := q[len(q)-1]
	g.pending++
	return g
}

// settle ends a member's part in g: d is the directory the member changed
// (nil when it changed nothing, e.g. it failed). It returns once an fsync
// of d begun after the member's change has completed (at once for a nil
// d), with that fsync's error. The caller closes d afterwards.
//
// d joins the oldest group of the directory whose fsync has not begun, g
// or an older one still waiting for its members: either fsync covers the
// change. A group's fsync begins when its last member settles, and that
// member runs it (before waiting for its own, if it joined an older
// group), so nobody waits for an fsync whose leader is waiting.
func (s *Store) settle(dir string, g *syncGroup, d *os.File) error {
	if g == nil {
		return nil
	}
	s.groupMu.Lock()
	q := s.groups[dir]
	g.closed = true
	g.pending--
	var joined *syncGroup
	if d != nil {
		joined = q[0] // g has not begun (it had a pending member: this one)
		joined.dirs = append(joined.dirs, d)
	}
	lead := g.pending == 0
	if lead {
		q = slices.DeleteFunc(q, func(x *syncGroup) bool { return x == g })
		if len(q) == 0 {
			delete(s.groups, dir)
		} else {
			s.groups[dir] = q
		}
	}
	s.groupMu.Unlock()
	if lead {
		g.err = s.syncDistinct(g.dirs)
		close(g.done)
	}
	if joined == nil {
		return nil
	}
	<-joined.done
	return joined.err
}

// syncDistinct fsyncs each distinct directory among dirs once.
func (s *Store) syncDistinct(dirs []*os.File) error {
	if len(dirs) == 0 {
		return nil
	}
	if len(dirs) == 1 {
		return s.syncDir(dirs[0])
	}
	synced := make([]os.FileInfo, 0, 1)
next:
	for _, d := range dirs {
		fi, err := d.Stat()
		if err != nil {
			return fmt.Errorf("stat dir %s: %w", d.Name(), err)
		}
		for _, done := range synced {
			if os.SameFile(fi, done) {
				continue next
			}
		}
		if err := s.syncDir(d); err != nil {
			return err
		}
		synced = append(synced, fi)
	}
	return nil
}

// syncDir fsyncs an open directory.
func (s *Store) syncDir(d *os.File) error {
	if err := s.fsync(d); err != nil {
		return fmt.Errorf("sync dir %s: %w", d.Name(), err)
	}
	return nil
}

// flush makes the sealed temporary file durable and closes it, enlisting
// in the group of dir, where it is about to be renamed: a small file
// before its fsync, so that writers whose fsyncs overlap share the
// directory's, a large one after. The caller settles the returned group
// (nil when the store does not fsync); on error flush has settled it.
func (s *Store) flush(t *tempFile, dir string, size int64) (*syncGroup, error) {
	var g *syncGroup
	if size <= earlyEnlist {
		g = s.enlist(dir)
	}
	err := s.syncFile(t.f)
	if cerr := t.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	if err != nil {
		s.settle(dir, g, nil)
		return nil, err
	}
	if g == nil {
		g = s.enlist(dir)
	}
	return g, nil
}

// syncFile fsyncs a file unless the store skips fsync.
func (s *Store) syncFile(f *os.File) error {
	if !s.sync {
		return nil
	}
	if err := s.fsync(f); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// commit settles g with the first of dirs (the directory the member
// changed) and fsyncs the rest (a bucket directory that gained a shard)
// on their own, then closes them all.
func (s *Store) commit(dir string, g *syncGroup, dirs openDirs) error {
	defer dirs.close()
	var err error
	if s.sync {
		for _, d := range dirs[1:] {
			if err = s.syncDir(d); err != nil {
				break
			}
		}
	}
	var first *os.File
	if len(dirs) > 0 && err == nil {
		first = dirs[0]
	}
	if serr := s.settle(dir, g, first); err == nil {
		err = serr
	}
	return err
}
