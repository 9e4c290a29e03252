package policy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestContextAgainstMap drives contexts (and their clones) with random
// Set, Add and Delete calls, past the size at which a context indexes its
// keys and back below it, and checks every key against a map model.
func TestContextAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type model map[string][]string
	check := func(step int, c *Context, m model) {
		t.Helper()
		keys := c.Keys()
		slices.Sort(keys)
		var want []string
		for k := range m {
			want = append(want, k)
		}
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Fatalf("step %d: keys %v, want %v", step, keys, want)
		}
		for k, v := range m {
			got, ok := c.Get(strings.ToUpper(k))
			if !ok || !slices.Equal(got, v) {
				t.Fatalf("step %d: %s = %v %v, want %v", step, k, got, ok, v)
			}
		}
		if _, ok := c.Get("aws:absent"); ok {
			t.Fatalf("step %d: an absent key is present", step)
		}
	}
	contexts := []*Context{NewContext()}
	models := []model{{}}
	for step := range 6_000 {
		i := rng.IntN(len(contexts))
		c, m := contexts[i], models[i]
		key := fmt.Sprintf("aws:Key%d", rng.IntN(60))
		lower := strings.ToLower(key)
		switch op := rng.IntN(10); {
		case op < 4:
			v := []string{fmt.Sprint(step)}
			c.Set(key, v...)
			m[lower] = v
		case op < 6:
			c.Add(key, "a", fmt.Sprint(step))
			m[lower] = append(slices.Clone(m[lower]), "a", fmt.Sprint(step))
		case op < 9:
			c.Delete(key)
			delete(m, lower)
		default:
			if len(contexts) < 8 {
				clone := make(model, len(m))
				for k, v := range m {
					clone[k] = slices.Clone(v)
				}
				contexts, models = append(contexts, c.Clone()), append(models, clone)
			}
		}
		for j := range contexts {
			check(step, contexts[j], models[j])
		}
	}
}
