package console

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/analyze"
	"github.com/sekisho/sekisho/internal/store"
)

// mapNode is a principal, role or bucket of the access map.
type mapNode struct {
	ID      string // ARN, or "*" for everyone
	Label   string
	Kind    string // root, user, role, bucket, public
	Account string
	X, Y    int
}

// mapEdge is one "can assume" / "can read" / "can write" arrow.
type mapEdge struct {
	N              int
	From, To       *mapNode
	Kind           string // assume, read, write
	Cross, Public  bool
	Conditional    bool
	Selected       bool
	Path           string
	Statements     []analyze.Finding
	X1, Y1, X2, Y2 int
	LabelX, LabelY int
}

// accountBox is an account drawn as a group.
type accountBox struct {
	ID, Alias  string
	X, Y, W, H int
}

type accessMap struct {
	Accounts []accountBox
	Nodes    []*mapNode
	Edges    []*mapEdge
	Width    int
	Height   int
	Selected *mapEdge
	Warnings []string
}

// Layout of the drawing.
const (
	columnWidth = 300
	nodeWidth   = 220
	nodeHeight  = 34
	rowHeight   = 52
	boxPadding  = 40
)

// accessMap draws who can reach what, from the analyzer (who-can and
// access-report), limited to edges that touch the current account.
func (c *Console) accessMap(w http.ResponseWriter, r *http.Request, s *state) {
	// The map shows the account's authorization details: the identity must
	// be allowed to read them, so the console asks IAM for them, signed as
	// the identity, before drawing what the analyzer finds.
	details := url.Values{"Action": {"GetAccountAuthorizationDetails"}, "MaxItems": {"1"}}
	if e := c.query(r, s.current(), "iam", details, nil); e != nil {
		c.showRefusal(w, r, s, "map", "Access map", e, nil)
		return
	}
	m, err := c.buildMap(r, s.currentAccount())
	if err != nil {
		c.renderStatus(w, r, http.StatusInternalServerError, "map", pageData{Title: "Access map", S: s, Error: err.Error()})
		return
	}
	if n, err := strconv.Atoi(r.FormValue("edge")); err == nil && n >= 0 && n < len(m.Edges) {
		m.Selected = m.Edges[n]
		m.Selected.Selected = true
	}
	c.render(w, r, s, "map", pageData{Title: "Access map", Data: m})
}

func (c *Console) buildMap(r *http.Request, account string) (*accessMap, error) {
	snap, err := analyze.Load(r.Context(), c.cfg.Store)
	if err != nil {
		return nil, err
	}
	var accounts []store.Account
	var buckets []store.Bucket
	err = c.cfg.Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		if accounts, err = tx.ListAccounts(); err != nil {
			return err
		}
		for _, a := range accounts {
			bs, err := tx.ListBuckets(a.ID)
			if err != nil {
				return err
			}
			buckets = append(buckets, bs...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("access map: %w", err)
	}
	report := snap.AccessReport()
	nodes := map[string]*mapNode{}
	for _, p := range snap.Principals() {
		label := p.Name
		if p.Kind == analyze.KindRoot {
			label = "root"
		}
		nodes[p.ARN] = &mapNode{ID: p.ARN, Label: label, Kind: string(p.Kind), Account: p.Account}
	}
	for _, b := range buckets {
		nodes["arn:aws:s3:::"+b.Name] = &mapNode{ID: "arn:aws:s3:::" + b.Name, Label: b.Name, Kind: "bucket", Account: b.Account}
	}
	everyone := &mapNode{ID: "*", Label: "everyone (public)", Kind: "public", Account: "*"}
	m := &accessMap{Warnings: snap.Warnings()}
	add := func(from, to *mapNode, kind string, p analyze.Path) {
		if from == nil || to == nil || (from.Account != account && to.Account != account) {
			return
		}
		e := &mapEdge{From: from, To: to, Kind: kind, Cross: from.Account != to.Account, Public: from == everyone,
			Conditional: p.Conditional, Path: p.String()}
		for _, f := range report {
			if f.Resource == to.ID && (from == everyone && contains(f.Principals, "*") ||
				contains(f.Principals, from.Account) || contains(f.Principals, from.ID)) {
				e.Statements = append(e.Statements, f)
			}
		}
		m.Edges = append(m.Edges, e)
	}
	for _, p := range snap.Principals() {
		if p.Kind != analyze.KindRole {
			continue
		}
		paths, err := snap.WhoCan("sts:AssumeRole", p.ARN)
		if err != nil {
			continue
		}
		for _, path := range paths {
			if len(path.Steps) == 1 {
				add(nodes[path.Principal.ARN], nodes[p.ARN], "assume", path)
			}
		}
	}
	for _, b := range buckets {
		for kind, action := range map[string]string{"read": "s3:GetObject", "write": "s3:PutObject"} {
			paths, err := snap.WhoCan(action, "arn:aws:s3:::"+b.Name+"/*")
			if err != nil {
				continue
			}
			for _, path := range paths {
				if len(path.Steps) == 1 && path.Principal.Kind != analyze.KindRoot {
					add(nodes[path.Principal.ARN], nodes["arn:aws:s3:::"+b.Name], kind, path)
				}
			}
		}
		for _, f := range report {
			if f.Public && f.Resource == "arn:aws:s3:::"+b.Name {
				add(everyone, nodes[f.Resource], "read", analyze.Path{Principal: analyze.Principal{ARN: "*"}})
				break
			}
		}
	}
	sort.SliceStable(m.Edges, func(i, j int) bool {
		a, b := m.Edges[i], m.Edges[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.From.ID+a.To.ID < b.From.ID+b.To.ID
	})
	m.layout(accounts, nodes, everyone, account)
	return m, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// layout places accounts as columns and their nodes in rows: principals,
// then roles, then buckets; "everyone" gets a column of its own.
func (m *accessMap) layout(accounts []store.Account, nodes map[string]*mapNode, everyone *mapNode, current string) {
	used := map[*mapNode]bool{}
	for _, e := range m.Edges {
		used[e.From], used[e.To] = true, true
	}
	for _, n := range nodes {
		if n.Account == current && n.Kind != "root" {
			used[n] = true
		}
	}
	order := map[string]int{"root": 0, "user": 1, "role": 2, "bucket": 3}
	col := 0
	height := 0
	if used[everyone] {
		everyone.X, everyone.Y = boxPadding, 2*boxPadding
		m.Nodes = append(m.Nodes, everyone)
		col++
	}
	for _, a := range accounts {
		var members []*mapNode
		for n := range used {
			if n.Account == a.ID {
				members = append(members, n)
			}
		}
		if len(members) == 0 {
			continue
		}
		sort.Slice(members, func(i, j int) bool {
			if order[members[i].Kind] != order[members[j].Kind] {
				return order[members[i].Kind] < order[members[j].Kind]
			}
			return members[i].Label < members[j].Label
		})
		x := boxPadding/2 + col*columnWidth
		box := accountBox{ID: a.ID, Alias: a.Alias, X: x, Y: boxPadding / 2, W: nodeWidth + boxPadding, H: len(members)*rowHeight + boxPadding + 10}
		for i, n := range members {
			n.X, n.Y = x+boxPadding/2, box.Y+boxPadding+i*rowHeight
			m.Nodes = append(m.Nodes, n)
		}
		m.Accounts = append(m.Accounts, box)
		height = max(height, box.Y+box.H)
		col++
	}
	m.Width, m.Height = max(col*columnWidth+boxPadding, 400), height+boxPadding
	for i, e := range m.Edges {
		e.N = i
		e.X1, e.Y1 = e.From.X+nodeWidth, e.From.Y+nodeHeight/2
		e.X2, e.Y2 = e.To.X, e.To.Y+nodeHeight/2
		if e.From.X == e.To.X { // same column: loop out to the right
			e.X2 = e.To.X + nodeWidth
		} else if e.From.X > e.To.X {
			e.X1, e.X2 = e.From.X, e.To.X+nodeWidth
		}
		e.LabelX, e.LabelY = (e.X1+e.X2)/2, (e.Y1+e.Y2)/2-4
	}
}

// edgePath is the SVG path of an edge: a curve between the two boxes.
func (e *mapEdge) SVGPath() string {
	if e.X1 == e.X2 || e.From.X == e.To.X {
		bend := e.X1 + 60
		return fmt.Sprintf("M%d %d C%d %d %d %d %d %d", e.X1, e.Y1, bend, e.Y1, bend, e.Y2, e.X2, e.Y2)
	}
	mid := (e.X1 + e.X2) / 2
	return fmt.Sprintf("M%d %d C%d %d %d %d %d %d", e.X1, e.Y1, mid, e.Y1, mid, e.Y2, e.X2, e.Y2)
}

// Class is the edge's CSS classes.
func (e *mapEdge) Class() string {
	classes := []string{"edge", "edge-" + e.Kind}
	if e.Cross {
		classes = append(classes, "cross")
	}
	if e.Public {
		classes = append(classes, "public")
	}
	if e.Selected {
		classes = append(classes, "selected")
	}
	return strings.Join(classes, " ")
}
