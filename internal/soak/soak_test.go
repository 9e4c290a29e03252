//go:build soak

package soak

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sekisho/sekisho/internal/policy"
)

var (
	duration    = flag.Duration("soak.duration", 5*time.Minute, "how long the traffic runs")
	numClients  = flag.Int("soak.clients", 64, "concurrent clients")
	policyEvery = flag.Duration("soak.policy-every", 250*time.Millisecond, "how often the user's policy flips")
)

const (
	account     = "111111111111"
	rootKey     = "AKIA1111ROOT00000001"
	rootSecret  = "DemoRootSecretForAccountA0000000000000001"
	userName    = "soak-user"
	roleName    = "soak-role"
	keysPerKind = 40 // per client, plain and secret: objects are overwritten in place
)

// TestSoak runs the soak: see the package comment and docs/benchmarks.md.
func TestSoak(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	root := newClients(srv.url, rootKey, rootSecret, "")
	bucket := fmt.Sprintf("soak-%d", time.Now().Unix())
	var tl Timeline
	userKey := setUp(t, ctx, root, bucket, &tl)

	// A warm-up first: the store's connection pool and the caches grow to
	// their working size (bounded, and kept), so that the counts compared
	// afterwards are those of a warm idle server.
	run := &run{bucket: bucket, url: srv.url, key: userKey}
	cold := srv.scrape(t)
	run.traffic(ctx, t, root.iam, &tl, warmUp(), nil)
	run.closeIdle()
	root.http.CloseIdleConnections()
	time.Sleep(time.Second)
	before := srv.scrape(t)
	fdsBefore := srv.openFiles()
	t.Logf("cold: goroutines %.0f, fds %.0f, RSS %.1f MiB; after a %v warm-up, idle: goroutines %.0f, fds %.0f, RSS %.1f MiB",
		cold.goroutines, cold.fds, cold.rss/(1<<20), warmUp(), before.goroutines, before.fds, before.rss/(1<<20))

	var rss []sample
	start := time.Now()
	run.traffic(ctx, t, root.iam, &tl, *duration, func() { rss = append(rss, srv.scrape(t)) })
	elapsed := time.Since(start)
	atEnd := srv.scrape(t)
	run.report(t, elapsed+warmUp(), tl.Len())
	checkObjects(t, ctx, root.s3, bucket, run)
	checkDecisions(t, run, &tl)
	run.closeIdle()
	root.http.CloseIdleConnections()
	checkLeaks(t, srv, before, fdsBefore)
	checkRSS(t, before, rss, atEnd, srv.scrape(t))
	if n := run.errors.total(); n > 0 {
		t.Logf("unexpected errors by code: %v", run.errors.snapshot())
		if code := run.errors.worst(); code != "" {
			t.Errorf("unexpected errors during the run: %v", run.errors.snapshot())
		}
	}
}

// warmUp is the length of the warm-up before the counts are taken.
func warmUp() time.Duration { return min(*duration/10, 15*time.Second) }

// traffic runs every client and the policy flips for d, calling sampleFn
// twelve times along the way.
func (r *run) traffic(ctx context.Context, t *testing.T, rootIAM *iam.Client, tl *Timeline, d time.Duration, sampleFn func()) {
	r.stop = make(chan struct{})
	var wg sync.WaitGroup
	for i := range *numClients {
		wg.Add(1)
		go func() { defer wg.Done(); r.client(ctx, i) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); flipPolicies(ctx, rootIAM, r.bucket, tl, r.stop, t) }()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		time.Sleep(min(d/12, time.Until(deadline)))
		if sampleFn != nil && time.Now().Before(deadline.Add(-d/24)) {
			sampleFn()
		}
	}
	close(r.stop)
	wg.Wait()
}

// server is the sekisho process under test.
type server struct {
	url, metricsURL string
	cmd             *exec.Cmd
}

func startServer(t *testing.T) *server {
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "sekisho")
	build := exec.Command("go", "build", "-o", bin, "./cmd/sekisho")
	build.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
		"--data-dir", filepath.Join(t.TempDir(), "data"), "--demo")
	cmd.Env = os.Environ()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd}
	sc := bufio.NewScanner(stderr)
	for (s.url == "" || s.metricsURL == "") && sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch line.Msg {
		case "serving":
			s.url = "http://" + line.Addr
		case "serving metrics":
			s.metricsURL = "http://" + line.Addr + "/metrics"
		}
	}
	// Warnings and errors go on to the test's stderr; the info lines
	// (a denial is one) are dropped.
	go func() {
		for sc.Scan() {
			if !bytes.Contains(sc.Bytes(), []byte(`"level":"INFO"`)) {
				fmt.Fprintf(os.Stderr, "sekisho: %s\n", sc.Bytes())
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	if s.url == "" || s.metricsURL == "" {
		t.Fatal("sekisho serve did not announce its addresses")
	}
	return s
}

// sample is what the metrics say about the process at one time.
type sample struct {
	at                   time.Time
	goroutines, fds, rss float64
	requests, decisions  float64
	openConns, tokens    float64
}

func (s *server) scrape(t *testing.T) sample {
	resp, err := http.Get(s.metricsURL)
	if err != nil {
		t.Errorf("scrape: %v", err)
		return sample{at: time.Now()}
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Errorf("scrape: %v", err)
		return sample{at: time.Now()}
	}
	total := func(name string) float64 {
		f := fams[name]
		if f == nil {
			return 0
		}
		sum := 0.0
		for _, m := range f.GetMetric() {
			switch {
			case m.Counter != nil:
				sum += m.GetCounter().GetValue()
			case m.Gauge != nil:
				sum += m.GetGauge().GetValue()
			}
		}
		return sum
	}
	return sample{at: time.Now(), goroutines: total("go_goroutines"), fds: total("process_open_fds"),
		rss: total("process_resident_memory_bytes"), requests: total("sekisho_requests_total"),
		decisions: total("sekisho_decisions_total"), openConns: total("sekisho_open_connections"),
		tokens: total("sekisho_session_tokens_issued_total")}
}

// clients are SDK clients for one identity, over one HTTP transport.
type clients struct {
	http *http.Client
	s3   *s3.Client
	iam  *iam.Client
	sts  *sts.Client
}

func newClients(url, key, secret, token string) *clients {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	cred := credentials.NewStaticCredentialsProvider(key, secret, token)
	return &clients{http: hc,
		s3: s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, Credentials: cred,
			Retryer: aws.NopRetryer{}, HTTPClient: hc}),
		iam: iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: cred, Retryer: aws.NopRetryer{}, HTTPClient: hc}),
		sts: sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: cred, Retryer: aws.NopRetryer{}, HTTPClient: hc}),
	}
}

type accessKey struct{ id, secret string }

// setUp creates the bucket, the user with the open policy and a key, and
// a role the user may assume.
func setUp(t *testing.T, ctx context.Context, root *clients, bucket string, tl *Timeline) accessKey {
	if _, err := root.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(userName)}); err != nil {
		t.Fatal(err)
	}
	putPolicy(t, ctx, root.iam, bucket, "open", 0, tl)
	key, err := root.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(userName)})
	if err != nil {
		t.Fatal(err)
	}
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:user/%s"},"Action":"sts:AssumeRole"}]}`, account, userName)
	if _, err := root.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	read := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/soak/*"}]}`, bucket)
	if _, err := root.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("read"), PolicyDocument: aws.String(read)}); err != nil {
		t.Fatal(err)
	}
	return accessKey{*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey}
}

// putPolicy puts version n (named name) in force and records when.
func putPolicy(t *testing.T, ctx context.Context, c *iam.Client, bucket, name string, n int, tl *Timeline) error {
	p, err := ParsedPolicy(name, bucket)
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(userName), PolicyName: aws.String("soak"),
		PolicyDocument: aws.String(PolicyDoc(name, bucket))})
	if err != nil {
		// Not acknowledged: it may or may not be in force. Recording it
		// as sent but acknowledged only "now" keeps the check honest.
		t.Logf("PutUserPolicy %s#%d: %v", name, n, err)
	}
	tl.Add(Version{Name: fmt.Sprintf("%s#%d", name, n), Policy: p, Sent: sent, Acked: time.Now()})
	return err
}

func flipPolicies(ctx context.Context, c *iam.Client, bucket string, tl *Timeline, stop <-chan struct{}, t *testing.T) {
	tick := time.NewTicker(*policyEvery)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		name := "closed"
		if n%2 == 0 {
			name = "open"
		}
		_ = putPolicy(t, ctx, c, bucket, name, n, tl)
	}
}

// run is the traffic's shared state.
type run struct {
	bucket, url string
	key         accessKey
	stop        chan struct{}

	mu           sync.Mutex
	acked        map[string][32]byte // last acknowledged body of each key
	observations []Observation
	transports   []*http.Client

	puts, gets, corrupt, identities, assumes, sessionGets, iamCalls atomic.Int64
	errors                                                          errorCounts
}

func (r *run) closeIdle() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.transports {
		c.CloseIdleConnections()
	}
}

// client is one of the many clients: a loop of mixed calls until stop.
func (r *run) client(ctx context.Context, i int) {
	c := newClients(r.url, r.key.id, r.key.secret, "")
	r.mu.Lock()
	r.transports = append(r.transports, c.http)
	r.mu.Unlock()
	rng := mrand.New(mrand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
	mine := map[string][32]byte{} // this client's keys: only it writes them
	for n := 0; ; n++ {
		select {
		case <-r.stop:
			return
		default:
		}
		switch op := rng.IntN(100); {
		case op < 30:
			r.put(ctx, c, rng, i, mine)
		case op < 60:
			r.get(ctx, c, rng, mine)
		case op < 70:
			r.identity(ctx, c)
		case op < 80:
			r.iamCall(ctx, c, "iam:GetUser", fmt.Sprintf("arn:aws:iam::%s:user/%s", account, userName), func() error {
				_, err := c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(userName)})
				return err
			})
		case op < 90:
			r.iamCall(ctx, c, "iam:ListUsers", fmt.Sprintf("arn:aws:iam::%s:user/", account), func() error {
				_, err := c.iam.ListUsers(ctx, &iam.ListUsersInput{})
				return err
			})
		default:
			r.assumeAndRead(ctx, c, rng, mine)
		}
	}
}

func (r *run) put(ctx context.Context, c *clients, rng *mrand.Rand, i int, mine map[string][32]byte) {
	prefix := "soak/"
	if rng.IntN(2) == 0 {
		prefix = "soak/secret/"
	}
	key := fmt.Sprintf("%sc%d/k%d", prefix, i, rng.IntN(keysPerKind))
	body := make([]byte, 1024+rng.IntN(15*1024))
	_, _ = rand.Read(body)
	sum := sha256.Sum256(body)
	_, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		// Not acknowledged: the object may hold either body now.
		delete(mine, key)
		r.mu.Lock()
		delete(r.acked, key)
		r.mu.Unlock()
		r.errors.add(err)
		return
	}
	r.puts.Add(1)
	mine[key] = sum
	r.mu.Lock()
	if r.acked == nil {
		r.acked = map[string][32]byte{}
	}
	r.acked[key] = sum
	r.mu.Unlock()
}

// pick is one of the client's acknowledged keys, or "".
func pick(rng *mrand.Rand, mine map[string][32]byte) string {
	if len(mine) == 0 {
		return ""
	}
	keys := make([]string, 0, len(mine))
	for k := range mine {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[rng.IntN(len(keys))]
}

func (r *run) get(ctx context.Context, c *clients, rng *mrand.Rand, mine map[string][32]byte) {
	key := pick(rng, mine)
	if key == "" {
		return
	}
	start := time.Now()
	out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
	var body []byte
	if err == nil {
		body, err = io.ReadAll(out.Body)
		out.Body.Close()
	}
	end := time.Now()
	if !r.observe("s3:GetObject", "arn:aws:s3:::"+r.bucket+"/"+key, start, end, err) {
		return
	}
	r.gets.Add(1)
	if err == nil && sha256.Sum256(body) != mine[key] {
		r.corrupt.Add(1)
	}
}

func (r *run) identity(ctx context.Context, c *clients) {
	if _, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		r.errors.add(err)
		return
	}
	r.identities.Add(1)
}

func (r *run) iamCall(ctx context.Context, c *clients, action, resource string, call func() error) {
	start := time.Now()
	err := call()
	if r.observe(action, resource, start, time.Now(), err) {
		r.iamCalls.Add(1)
	}
}

// assumeAndRead assumes the role (a session token issued) and reads one
// of the client's objects with the session.
func (r *run) assumeAndRead(ctx context.Context, c *clients, rng *mrand.Rand, mine map[string][32]byte) {
	out, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/%s", account, roleName)),
		RoleSessionName: aws.String("soak")})
	if err != nil {
		r.errors.add(err)
		return
	}
	r.assumes.Add(1)
	key := pick(rng, mine)
	if key == "" {
		return
	}
	cr := out.Credentials
	session := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.url), UsePathStyle: true, Retryer: aws.NopRetryer{},
		HTTPClient: c.http, Credentials: credentials.NewStaticCredentialsProvider(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken)})
	obj, err := session.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
	if err != nil {
		r.errors.add(err)
		return
	}
	body, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		r.errors.add(err)
		return
	}
	r.sessionGets.Add(1)
	if sha256.Sum256(body) != mine[key] {
		r.corrupt.Add(1)
	}
}

// observe records an authorization outcome: a success is an allow,
// AccessDenied a deny; anything else is an error and decides nothing.
func (r *run) observe(action, resource string, start, end time.Time, err error) bool {
	allowed := err == nil
	if err != nil && errorCode(err) != "AccessDenied" {
		r.errors.add(err)
		return false
	}
	r.mu.Lock()
	r.observations = append(r.observations, Observation{Action: action, Resource: resource, Start: start, End: end, Allowed: allowed})
	r.mu.Unlock()
	return true
}

func (r *run) report(t *testing.T, elapsed time.Duration, versions int) {
	per := func(n int64) string { return fmt.Sprintf("%d (%.0f/s)", n, float64(n)/elapsed.Seconds()) }
	t.Logf("traffic: %v, %d clients, %d policy versions", elapsed.Round(time.Second), *numClients, versions)
	t.Logf("PutObject %s, GetObject %s, GetCallerIdentity %s, IAM %s, AssumeRole %s, session GetObject %s",
		per(r.puts.Load()), per(r.gets.Load()), per(r.identities.Load()), per(r.iamCalls.Load()), per(r.assumes.Load()), per(r.sessionGets.Load()))
}

func checkObjects(t *testing.T, ctx context.Context, c *s3.Client, bucket string, r *run) {
	if n := r.corrupt.Load(); n > 0 {
		t.Errorf("%d reads during the run returned a body other than the last acknowledged", n)
	}
	bad := 0
	for key, sum := range r.acked {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Errorf("acknowledged %s: %v", key, err)
			bad++
			continue
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || sha256.Sum256(body) != sum {
			t.Errorf("acknowledged %s is not intact (%v)", key, err)
			bad++
		}
	}
	t.Logf("objects: %d acknowledged keys read back, %d not intact", len(r.acked), bad)
}

func checkDecisions(t *testing.T, r *run, tl *Timeline) {
	user, err := policy.ParsePrincipalARN(fmt.Sprintf("arn:aws:iam::%s:user/%s", account, userName))
	if err != nil {
		t.Fatal(err)
	}
	v := Check(user, tl, r.observations)
	denied := 0
	for _, o := range r.observations {
		if !o.Allowed {
			denied++
		}
	}
	t.Logf("decisions: %d re-evaluated offline (%d denied), %d wrong allows, %d wrong denies", v.Checked, denied, v.WrongAllows, v.WrongDenies)
	for _, e := range v.Examples {
		t.Log("  ", e)
	}
	if v.WrongAllows > 0 {
		t.Errorf("%d requests were allowed that no policy in force allowed", v.WrongAllows)
	}
	if v.WrongDenies > 0 {
		t.Errorf("%d requests were denied that every policy in force allowed", v.WrongDenies)
	}
}

// checkLeaks waits (up to 30 s) for goroutines and file descriptors to
// come back to their counts before the traffic.
func checkLeaks(t *testing.T, srv *server, before sample, fdsBefore map[string]int) {
	deadline := time.Now().Add(30 * time.Second)
	var now sample
	for {
		now = srv.scrape(t)
		if now.goroutines <= before.goroutines && now.fds <= before.fds || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("after traffic: goroutines %.0f (before %.0f), fds %.0f (before %.0f), open connections %.0f",
		now.goroutines, before.goroutines, now.fds, before.fds, now.openConns)
	if now.goroutines > before.goroutines || now.fds > before.fds {
		t.Errorf("not back to the starting counts within 30 s: goroutines %.0f > %.0f or fds %.0f > %.0f; files opened meanwhile: %v",
			now.goroutines, before.goroutines, now.fds, before.fds, newFiles(fdsBefore, srv.openFiles()))
	}
}

// openFiles counts the server's open descriptors by what they point to.
func (s *server) openFiles() map[string]int {
	dir := fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid)
	entries, _ := os.ReadDir(dir)
	out := map[string]int{}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if strings.HasPrefix(target, "socket:") {
			target = "socket"
		}
		out[target]++
	}
	return out
}

func newFiles(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range after {
		if n > before[k] {
			out[k] = n - before[k]
		}
	}
	return out
}

// checkRSS: memory must level off. The decision log's ring (bounded, with
// the requests its decisions explain) and the caches fill during the
// first part of a run, so "flat" means the second half of the run grows
// by at most a quarter: the end within 1.25x of the midpoint.
func checkRSS(t *testing.T, before sample, during []sample, atEnd, idle sample) {
	var line []string
	for _, s := range during {
		line = append(line, fmt.Sprintf("%.0f", s.rss/(1<<20)))
	}
	t.Logf("RSS MiB: before %.1f, during [%s], end of run %.1f, idle after %.1f; requests %.0f, decisions %.0f, session tokens %.0f",
		before.rss/(1<<20), strings.Join(line, " "), atEnd.rss/(1<<20), idle.rss/(1<<20), atEnd.requests, atEnd.decisions, atEnd.tokens)
	if len(during) < 4 {
		t.Errorf("only %d RSS samples", len(during))
		return
	}
	mid := during[len(during)/2].rss
	if atEnd.rss > 1.25*mid {
		t.Errorf("RSS still grows: %.1f MiB at the middle of the run, %.1f MiB at the end", mid/(1<<20), atEnd.rss/(1<<20))
	}
}

// errorCounts counts unexpected errors by code.
type errorCounts struct {
	mu     sync.Mutex
	byCode map[string]int
}

func (e *errorCounts) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byCode == nil {
		e.byCode = map[string]int{}
	}
	code := errorCode(err)
	if code == "" {
		code = err.Error()
	}
	e.byCode[code]++
}

func (e *errorCounts) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.byCode {
		n += c
	}
	return n
}

func (e *errorCounts) snapshot() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]int{}
	for k, v := range e.byCode {
		out[k] = v
	}
	return out
}

// worst is an error code the run must not see: anything but SlowDown,
// which the server answers by design when more than --max-uploads bodies
// are read at once.
func (e *errorCounts) worst() string {
	for code := range e.snapshot() {
		if code != "SlowDown" {
			return code
		}
	}
	return ""
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
