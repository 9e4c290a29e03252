package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const s3RoleARN = "arn:aws:iam::111111111111:role/assume_s3_role"

func stsAs(url, key, secret, token string) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token), Retryer: aws.NopRetryer{}})
}

// scrape reads url's metrics in the Prometheus text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("GET %s: Content-Type %q, want the Prometheus text format", url, ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: not the Prometheus text format: %v", url, err)
	}
	return families
}

// sample is the value of the family's sample with these labels (a
// counter's or gauge's value, a histogram's count), 0 when absent.
func sample(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}

// sum adds every sample of the family whose labels include these.
func sum(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := families[name]
	if f == nil {
		return 0
	}
	total := 0.0
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		total += m.GetCounter().GetValue()
	}
	return total
}

// TestMetricsCountRealRequests: after real SDK calls to a real server,
// /metrics (read from loopback) counts them by service, operation and
// status, times them, counts the decisions and the session tokens.
func TestMetricsCountRealRequests(t *testing.T) {
	p := startServe(t, buildSekisho(t), "--in-memory", "--demo")
	ctx := context.Background()
	alice := stsAs(p.URL, aliceKey, aliceSecret, "")
	for range 3 {
		if _, err := alice.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		if _, err := alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s3RoleARN), RoleSessionName: aws.String("metrics")}); err != nil {
			t.Fatalf("AssumeRole %d: %v", i, err)
		}
	}
	s3c := rootA(p.URL)
	for _, key := range []string{"m1", "m2"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(key), Body: strings.NewReader("metrics " + key)}); err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
	}
	if _, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("m1")}); err != nil {
		t.Fatal(err)
	}
	carol := iamAs(p.URL, carolKey, carolSecret)
	if _, err := carol.ListUsers(ctx, &iam.ListUsersInput{}); errorCode(err) != "AccessDenied" {
		t.Fatalf("carol ListUsers: %v, want AccessDenied", err)
	}

	m := scrape(t, p.URL+"/metrics")
	for _, want := range []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"sekisho_requests_total", map[string]string{"service": "sts", "operation": "GetCallerIdentity", "status": "200"}, 3},
		{"sekisho_requests_total", map[string]string{"service": "sts", "operation": "AssumeRole", "status": "200"}, 2},
		{"sekisho_requests_total", map[string]string{"service": "s3", "operation": "PutObject", "status": "200"}, 2},
		{"sekisho_requests_total", map[string]string{"service": "s3", "operation": "GetObject", "status": "200"}, 1},
		{"sekisho_requests_total", map[string]string{"service": "iam", "operation": "ListUsers", "status": "403"}, 1},
		{"sekisho_request_duration_seconds", map[string]string{"service": "sts", "operation": "GetCallerIdentity"}, 3},
		{"sekisho_request_duration_seconds", map[string]string{"service": "s3", "operation": "PutObject"}, 2},
		{"sekisho_session_tokens_issued_total", map[string]string{"operation": "AssumeRole"}, 2},
	} {
		if got := sample(m, want.name, want.labels); got != want.value {
			t.Errorf("%s%v = %v, want %v", want.name, want.labels, got, want.value)
		}
	}
	// Each PutObject, GetObject and AssumeRole was allowed by a decision;
	// carol's ListUsers was denied for want of an identity Allow.
	if got := sum(m, "sekisho_decisions_total", map[string]string{"effect": "Allow"}); got < 5 {
		t.Errorf("allow decisions = %v, want at least 5", got)
	}
	if got := sum(m, "sekisho_decisions_total", map[string]string{"effect": "ImplicitDeny"}); got != 1 {
		t.Errorf("implicit-deny decisions = %v, want 1 (carol's ListUsers)", got)
	}
	// The scrape itself holds a connection open; the SDK clients keep theirs alive.
	if got := sample(m, "sekisho_open_connections", nil); got < 1 {
		t.Errorf("sekisho_open_connections = %v, want at least 1", got)
	}
	for _, name := range []string{"sekisho_store_errors_total", "sekisho_blob_errors_total"} {
		if got := sum(m, name, nil); got != 0 {
			t.Errorf("%s = %v on a healthy server", name, got)
		}
	}
	for _, name := range []string{"go_goroutines", "process_open_fds", "process_resident_memory_bytes"} {
		if m[name] == nil {
			t.Errorf("%s is missing from /metrics", name)
		}
	}
	// The scrapes themselves are not counted as requests.
	if got := sum(m, "sekisho_requests_total", map[string]string{"service": "unknown"}); got != 0 {
		t.Errorf("%v requests of unknown service counted, want 0", got)
	}
}

// TestMetricsAddrMovesMetrics: with --metrics-addr the metrics move to
// their own listener; on --addr, /metrics is again only an S3 path (a
// bucket named "metrics") and /_sekisho/metrics is refused.
func TestMetricsAddrMovesMetrics(t *testing.T) {
	p := startServe(t, buildSekisho(t), "--in-memory", "--demo", "--metrics-addr", "127.0.0.1:0")
	addr := loggedMetricsAddr(t, p)
	m := scrape(t, "http://"+addr+"/metrics")
	if m["sekisho_requests_total"] == nil && m["go_goroutines"] == nil {
		t.Fatalf("the metrics listener serves no Sekisho metrics: %v", m)
	}
	resp, err := http.Get(p.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "sekisho_requests_total") || !strings.Contains(string(body), "<Error>") {
		t.Errorf("GET /metrics on --addr: %s\n%s; want S3's answer for a bucket named metrics", resp.Status, body)
	}
	resp, err = http.Get(p.URL + "/_sekisho/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /_sekisho/metrics on --addr: %s, want 403", resp.Status)
	}
}

// loggedMetricsAddr reads the metrics listener's address from the log.
func loggedMetricsAddr(t *testing.T, p *process) string {
	t.Helper()
	for _, line := range strings.Split(p.logs(), "\n") {
		var l struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "serving metrics" {
			return l.Addr
		}
	}
	t.Fatalf("no \"serving metrics\" line in the log:\n%s", p.logs())
	return ""
}

// TestEnvironmentSetsFlags: SEKISHO_* variables set every flag the
// command line leaves unset; the command line wins.
func TestEnvironmentSetsFlags(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	t.Setenv("SEKISHO_DATA_DIR", dataDir)
	t.Setenv("SEKISHO_DEMO", "true")
	t.Setenv("SEKISHO_METRICS_ADDR", "127.0.0.1:0")
	t.Setenv("SEKISHO_LOG_LEVEL", "debug")
	t.Setenv("SEKISHO_TRUSTED_PROXY", "10.0.0.0/8,192.0.2.0/24")
	t.Setenv("SEKISHO_ADDR", "192.0.2.1:1") // not ours to listen on: --addr must win
	p := startServe(t, buildSekisho(t))
	if _, err := os.Stat(filepath.Join(dataDir, "sekisho.db")); err != nil {
		t.Errorf("SEKISHO_DATA_DIR was not used: %v", err)
	}
	loggedMetricsAddr(t, p)
	// alice exists only in the demo world: SEKISHO_DEMO=true loaded it.
	if _, err := stsAs(p.URL, aliceKey, aliceSecret, "").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("SEKISHO_DEMO=true: alice of the demo world cannot sign in: %v", err)
	}
	// The request's debug line may still be in the pipe: stop the server,
	// which waits until its whole stderr has been read.
	p.stop()
	if !strings.Contains(p.logs(), `"level":"DEBUG"`) {
		t.Errorf("SEKISHO_LOG_LEVEL=debug: no debug line in the log:\n%s", p.logs())
	}
}

// TestEnvironmentBadValue: a variable that does not parse is reported by
// name, and serve does not start.
func TestEnvironmentBadValue(t *testing.T) {
	t.Setenv("SEKISHO_DECISION_LOG_SIZE", "many")
	out, err := sekishoCommand(t, "serve", "--in-memory", "--addr", "127.0.0.1:0").CombinedOutput()
	if err == nil {
		t.Fatal("serve started with SEKISHO_DECISION_LOG_SIZE=many")
	}
	if !strings.Contains(string(out), "SEKISHO_DECISION_LOG_SIZE") {
		t.Errorf("the error does not name the variable: %s", out)
	}
}

func sekishoCommand(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(buildSekisho(t), args...)
	cmd.Env = append(os.Environ(), sekishoEnv+"=1")
	return cmd
}

// TestLogFormatText: --log-format text writes key=value lines; another
// format is refused.
func TestLogFormatText(t *testing.T) {
	cmd := sekishoCommand(t, "serve", "--in-memory", "--addr", "127.0.0.1:0", "--log-format", "text")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var first string
	for sc.Scan() {
		if first = sc.Text(); strings.Contains(first, "msg=serving") {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_, _ = io.Copy(io.Discard, stderr)
	_ = cmd.Wait()
	if !regexp.MustCompile(`^time=\S+ level=INFO msg=serving addr=127\.0\.0\.1:\d+`).MatchString(first) {
		t.Errorf("--log-format text: serving line %q, want key=value text", first)
	}
	out, err := sekishoCommand(t, "serve", "--in-memory", "--log-format", "xml").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--log-format must be json or text") {
		t.Errorf("--log-format xml: %v\n%s", err, out)
	}
}

// TestHelpNamesVariables: --help names each flag's variable.
func TestHelpNamesVariables(t *testing.T) {
	out, err := sekishoCommand(t, "serve", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("serve --help: %v\n%s", err, out)
	}
	for _, want := range []string{"[$SEKISHO_ADDR]", "[$SEKISHO_DATA_DIR]", "[$SEKISHO_METRICS_ADDR]", "[$SEKISHO_LOG_FORMAT]", "[$SEKISHO_TRUSTED_PROXY]"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("serve --help does not mention %s:\n%s", want, out)
		}
	}
}

// TestVersionShowsCommit builds sekisho as `make build` does and checks
// that `sekisho version` names the module and the commit. Go stamps the
// commit only when the module root holds a .git directory: in a git
// worktree (.git is a file) it cannot, and the test checks that the
// version says so.
func TestVersionShowsCommit(t *testing.T) {
	root := moduleRoot(t)
	bin := filepath.Join(t.TempDir(), "sekisho")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/sekisho")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("sekisho version: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "module  github.com/sekisho/sekisho") {
		t.Errorf("version does not name the module:\n%s", out)
	}
	if fi, err := os.Stat(filepath.Join(root, ".git")); err != nil || !fi.IsDir() {
		t.Logf("%s/.git is not a directory (a git worktree): Go cannot stamp the commit", root)
		if !strings.Contains(string(out), "commit  unknown") {
			t.Errorf("version claims a commit Go could not stamp:\n%s", out)
		}
		return
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err)
	}
	if !strings.Contains(string(out), "commit  "+strings.TrimSpace(string(head))) {
		t.Errorf("version does not show commit %s:\n%s", head, out)
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
