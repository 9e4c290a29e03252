package s3

import "testing"

// ConfigOperations exports the configuration rows for the SDK tests.
func ConfigOperations() []ConfigOperation { return (&Service{}).configOperations() }

// TestConfigRowsAgreeWithTheTable: a configuration handler authorizes the
// same action as its row of the operation table.
func TestConfigRowsAgreeWithTheTable(t *testing.T) {
	for _, c := range ConfigOperations() {
		found := false
		for i := range operations {
			op := &operations[i]
			if op.Name != c.Name {
				continue
			}
			found = true
			if op.Action != c.Action {
				t.Errorf("%s: handler authorizes %q, table row %q", c.Name, c.Action, op.Action)
			}
		}
		if !found {
			t.Errorf("%s: no row in the operation table", c.Name)
		}
	}
}
