package policy

import (
	"sort"
	"strings"
	"testing"
)

// TestCloneIsIndependent: adding to a clone's key leaves the original and
// the clone's other keys alone (the clone shares one backing array).
func TestCloneIsIndependent(t *testing.T) {
	c := NewContext()
	c.Set("a", "1", "2")
	c.Set("b", "3")
	c.Set("empty")
	d := c.Clone()
	d.Add("a", "x")
	d.Add("b", "y")
	if v, _ := c.Get("a"); len(v) != 2 {
		t.Errorf("original a = %v", v)
	}
	if v, _ := d.Get("b"); len(v) != 2 || v[0] != "3" || v[1] != "y" {
		t.Errorf("clone b = %v", v)
	}
	if v, _ := d.Get("a"); len(v) != 3 || v[2] != "x" {
		t.Errorf("clone a = %v", v)
	}
	if v, ok := d.Get("empty"); !ok || len(v) != 0 {
		t.Errorf("clone empty = %v %v", v, ok)
	}
}

// TestCloneSharesCopyOnWrite: changes to either side after a clone (Set,
// Add, Delete, a clone of the clone) are not seen by the other.
func TestCloneSharesCopyOnWrite(t *testing.T) {
	get := func(c *Context, k string) string {
		v, ok := c.Get(k)
		if !ok {
			return "<absent>"
		}
		return strings.Join(v, ",")
	}
	parent := NewContext()
	parent.Set("aws:A", "a")
	parent.Set("aws:B", "b1", "b2")
	parent.Set("aws:C", "c")
	child := parent.Clone()
	snapshot := child.SizeBytes()

	parent.Set("aws:A", "changed")
	parent.Add("aws:B", "b3")
	parent.Delete("aws:C")
	parent.Set("aws:New", "n")
	if got := get(child, "aws:a") + "|" + get(child, "aws:b") + "|" + get(child, "aws:c") + "|" + get(child, "aws:new"); got != "a|b1,b2|c|<absent>" {
		t.Fatalf("child after parent's changes = %s", got)
	}
	if child.SizeBytes() != snapshot || len(child.Keys()) != 3 {
		t.Fatalf("child size/keys changed: %d %v", child.SizeBytes(), child.Keys())
	}

	child.Add("aws:B", "x")
	child.Set("aws:D", "d")
	child.Delete("aws:A")
	grand := child.Clone()
	child.Set("aws:D", "d2")
	if got := get(parent, "aws:a") + "|" + get(parent, "aws:b") + "|" + get(parent, "aws:d"); got != "changed|b1,b2,b3|<absent>" {
		t.Fatalf("parent after child's changes = %s", got)
	}
	if got := get(child, "aws:a") + "|" + get(child, "aws:b") + "|" + get(child, "aws:c") + "|" + get(child, "aws:d"); got != "<absent>|b1,b2,x|c|d2" {
		t.Fatalf("child = %s", got)
	}
	if got := get(grand, "aws:a") + "|" + get(grand, "aws:b") + "|" + get(grand, "aws:c") + "|" + get(grand, "aws:d"); got != "<absent>|b1,b2,x|c|d" {
		t.Fatalf("grandchild = %s", got)
	}
	keys := child.Keys()
	sort.Strings(keys)
	if strings.Join(keys, " ") != "aws:b aws:c aws:d" {
		t.Fatalf("child keys = %v", keys)
	}
}
