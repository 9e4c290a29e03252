package policy

import "testing"

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
