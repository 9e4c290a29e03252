package analyze

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/policy"
)

// compiler compiles each distinct document once per snapshot and, through
// its gatherer, loads each managed policy and group's policies once. A stored document that does not compile is
// left out (it can grant nothing, as the server cannot use it either) and
// noted in warnings.
type compiler struct {
	docs     map[compileKey]*policy.Policy
	gather   *access.Gatherer
	warnings []string
}

type compileKey struct {
	t   policy.Type
	doc string
}

func newCompiler() *compiler {
	return &compiler{docs: map[compileKey]*policy.Policy{}}
}

// compile parses a stored document. Stored documents were validated when
// written; the size limits are lifted, as the server does, so a document
// written under a larger limit still loads.
func (c *compiler) compile(doc string, t policy.Type) (*policy.Policy, error) {
	k := compileKey{t, doc}
	if p, ok := c.docs[k]; ok {
		return p, nil
	}
	p, err := policy.ParseWithOptions(doc, t, policy.Options{MaxSize: 1 << 20})
	if err != nil {
		return nil, err
	}
	c.docs[k] = p
	return p, nil
}

// gatherer gathers principals' policies through the compiler, once per
// managed policy and group, leaving out (with a warning) what does not
// compile.
func (c *compiler) gatherer() *access.Gatherer {
	if c.gather == nil {
		c.gather = access.NewGatherer(c.compile, func(what string, err error) {
			c.warn("%s does not compile and is left out: %v", what, err)
		}).Cached()
	}
	return c.gather
}

func (c *compiler) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}
