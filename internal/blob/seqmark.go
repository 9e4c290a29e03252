package blob

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The Seq watermark. Seq orders a key's versions (listings, newest first)
// and decides between a replayed spare and the current file, and it is
// taken from the clock. A clock set back between two runs (an NTP step, a
// restored VM) would stamp new versions below the earlier run's: the
// newest version listed among older ones, and a PUT whose rename a crash
// undid dropped at replay in favour of an older file. So the store keeps
// in its root a watermark above every Seq it has handed out, durable
// before a Seq past it is handed out, and Open starts above it. Moving it
// seqMarkStep ahead at a time costs one small durable write per that much
// clock time (the first write after Open included).
const (
	seqMarkFile = ".seq"
	seqMarkStep = int64(10 * time.Minute)
)

// readSeqMark returns the watermark in root, 0 when there is none (a new
// root, or one written before the watermark existed).
func readSeqMark(root string) (int64, error) {
	data, err := os.ReadFile(filepath.Join(root, seqMarkFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read seq watermark: %w", err)
	}
	mark, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || mark < 0 {
		return 0, fmt.Errorf("seq watermark %s is not a number (%q): remove it to start from the clock", seqMarkFile, data)
	}
	return mark, nil
}

// raiseSeqMark makes the watermark durably at least past+seqMarkStep,
// unless it is already past past.
func (s *Store) raiseSeqMark(past int64) error {
	s.markMu.Lock()
	defer s.markMu.Unlock()
	if past <= s.mark.Load() {
		return nil
	}
	to := past + seqMarkStep
	if s.shared {
		// Another replica may have raised it meanwhile: keep the higher,
		// under a lock file so that two raising at once cannot lower it.
		unlock, err := lockFile(filepath.Join(s.root, seqMarkFile+".lock"))
		if err != nil {
			return fmt.Errorf("blob: raise seq watermark: %w", err)
		}
		defer unlock()
		onDisk, err := readSeqMark(s.root)
		if err != nil {
			return fmt.Errorf("blob: raise seq watermark: %w", err)
		}
		to = max(to, onDisk)
	}
	if err := s.writeSeqMark(to); err != nil {
		return fmt.Errorf("blob: raise seq watermark: %w", err)
	}
	s.mark.Store(to)
	return nil
}

// writeSeqMark replaces the watermark file with mark, durably.
func (s *Store) writeSeqMark(mark int64) error {
	tmp := filepath.Join(s.root, seqMarkFile+".tmp-"+randomHex(8))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.FormatInt(mark, 10) + "\n")
	if err == nil {
		err = s.syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.root, seqMarkFile))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return s.syncDirs(s.root)
}

// isSeqMarkTemp reports whether a root entry is a watermark being written
// when a run stopped.
func isSeqMarkTemp(name string) bool { return strings.HasPrefix(name, seqMarkFile+".tmp-") }
