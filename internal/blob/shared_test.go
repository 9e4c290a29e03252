package blob

import (
	"bytes"
	"testing"
)

// TestSharedRootSeesOtherWriters: two stores on one root, as two replicas
// on a shared directory, list each other's objects and keep each other's
// temporary files.
func TestSharedRootSeesOtherWriters(t *testing.T) {
	root := t.TempDir()
	a, err := Open(root, Shared(), WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateBucketDir("shared"); err != nil {
		t.Fatal(err)
	}
	b, err := Open(root, Shared(), WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.List("shared", "", "", 0); err != nil { // b indexes the empty bucket
		t.Fatal(err)
	}
	if _, err := a.Put("shared", "k", bytes.NewReader([]byte("v")), Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	got, _, err := b.List("shared", "", "", 0)
	if err != nil || len(got) != 1 || got[0].Key != "k" {
		t.Fatalf("b lists %v, %v", got, err)
	}
	if empty, err := b.BucketEmpty("shared"); err != nil || empty {
		t.Fatalf("b thinks the bucket is empty: %v", err)
	}
}
