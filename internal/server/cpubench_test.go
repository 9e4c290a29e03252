package server_test

// Server CPU per request, without the client's cost: each request is signed
// once (aws-sdk-go-v2's SigV4 signer) and serialized; a separate process
// (this test binary re-executed in client mode, see TestMain) replays the
// raw bytes over 8 keep-alive connections, and the benchmark reads its own
// process's CPU time (getrusage, the same utime+stime as /proc/self/stat)
// around the run. Every replay is verified, authorized and answered in
// full: a signature stays valid for 15 minutes. Each benchmark also
// replays the same bytes to a bare net/http handler that answers what
// Sekisho answered, and reports that floor beside its figure.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sekisho/sekisho/internal/testenv"
)

// The client process's settings travel in environment variables.
const (
	replayEnvAddr     = "SEKISHO_REPLAY_ADDR"     // host:port of the server
	replayEnvFiles    = "SEKISHO_REPLAY_FILES"    // raw requests, one per file, separated by the OS list separator
	replayEnvCount    = "SEKISHO_REPLAY_COUNT"    // requests to send in all
	replayEnvDuration = "SEKISHO_REPLAY_DURATION" // or: keep sending for this long
	replayConns       = 8
)

func TestMain(m *testing.M) {
	if os.Getenv(replayEnvAddr) != "" {
		if err := replayClient(); err != nil {
			fmt.Fprintln(os.Stderr, "replay client:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// replayClient sends the raw requests round-robin over replayConns
// connections and checks that every answer is a 2xx.
func replayClient() error {
	var requests [][]byte
	for _, name := range filepath.SplitList(os.Getenv(replayEnvFiles)) {
		raw, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		requests = append(requests, raw)
	}
	count, _ := strconv.ParseInt(os.Getenv(replayEnvCount), 10, 64)
	var deadline time.Time
	if d, err := time.ParseDuration(os.Getenv(replayEnvDuration)); err == nil && d > 0 {
		deadline = time.Now().Add(d)
	}
	var sent atomic.Int64
	more := func() (int64, bool) {
		n := sent.Add(1)
		if deadline.IsZero() {
			return n, n <= count
		}
		return n, time.Now().Before(deadline)
	}
	errs := make(chan error, replayConns)
	var wg sync.WaitGroup
	for range replayConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- replayOn(os.Getenv(replayEnvAddr), requests, more)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func replayOn(addr string, requests [][]byte, more func() (int64, bool)) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	in := bufio.NewReaderSize(conn, 64<<10)
	for {
		n, ok := more()
		if !ok {
			return nil
		}
		raw := requests[int(n)%len(requests)]
		if _, err := conn.Write(raw); err != nil {
			return err
		}
		resp, err := http.ReadResponse(in, nil)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("request %d: status %d", n, resp.StatusCode)
		}
	}
}

// rawRequest signs req with the given payload hash and returns the bytes a
// client sends.
func rawRequest(t testing.TB, req *http.Request, service, region, key, secret, payloadHash string) []byte {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if service == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "sekisho-replay")
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	rootKey, rootSecret = "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001"
)

func stsRequest(t testing.TB, base, body string) []byte {
	req, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	return rawRequest(t, req, "sts", "ap-northeast-1", aliceKey, aliceSecret, hex.EncodeToString(sum[:]))
}

func getObjectRequest(t testing.TB, base, key string) []byte {
	req, err := http.NewRequest(http.MethodGet, base+"/"+benchBucket+"/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	return rawRequest(t, req, "s3", "us-east-1", rootKey, rootSecret, hex.EncodeToString(sum[:]))
}

// putObjectSigned sends the body with its SHA-256 in x-amz-content-sha256.
func putObjectSigned(t testing.TB, base, key string, data []byte) []byte {
	req, err := http.NewRequest(http.MethodPut, base+"/"+benchBucket+"/"+key, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return rawRequest(t, req, "s3", "us-east-1", rootKey, rootSecret, hex.EncodeToString(sum[:]))
}

// putObjectTrailer sends the body as current SDKs do: aws-chunked, one
// chunk, STREAMING-UNSIGNED-PAYLOAD-TRAILER with an x-amz-checksum-crc32
// trailer.
func putObjectTrailer(t testing.TB, base, key string, data []byte) []byte {
	var body bytes.Buffer
	fmt.Fprintf(&body, "%x\r\n", len(data))
	body.Write(data)
	crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	fmt.Fprintf(&body, "\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", base64.StdEncoding.EncodeToString(crc))
	req, err := http.NewRequest(http.MethodPut, base+"/"+benchBucket+"/"+key, bytes.NewReader(body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	return rawRequest(t, req, "s3", "us-east-1", rootKey, rootSecret, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
}

// replay writes the raw requests to files and runs the client process
// until it has sent count requests (or for duration, if not zero). It
// returns the server process's CPU time over the run.
func replay(t testing.TB, serverURL string, requests [][]byte, count int, duration time.Duration) time.Duration {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for i, raw := range requests {
		name := filepath.Join(dir, fmt.Sprintf("req%d", i))
		if err := os.WriteFile(name, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), replayEnvAddr+"="+u.Host, replayEnvFiles+"="+strings.Join(files, string(filepath.ListSeparator)),
		replayEnvCount+"="+strconv.Itoa(count), replayEnvDuration+"="+duration.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	before := processCPU(t)
	err = cmd.Run()
	used := processCPU(t) - before
	if err != nil {
		t.Fatalf("client process: %v\n%s", err, stderr.String())
	}
	return used
}

// benchmarkServerCPU replays one request b.N times and reports the server's
// CPU per request (server-µs/req), and beside it the floor under it: the
// same request bytes answered by a bare net/http handler with the very
// headers and body Sekisho answered them with (floor-µs/req), so that
// over-floor-µs/req is what Sekisho adds, comparable between machines and
// hours of one machine. The two servers take turns, half the requests at
// a time, so that a change in the machine's load falls on both.
func benchmarkServerCPU(b *testing.B, env *testenv.Env, raw []byte, bytesPerRequest int) {
	bare := bareServer(b, env.URL, raw)
	defer bare.Close()
	replay(b, env.URL, [][]byte{raw}, 200, 0) // warm caches and connections
	replay(b, bare.URL, [][]byte{raw}, 200, 0)
	b.ResetTimer()
	var ours, floor time.Duration
	for _, n := range []int{b.N / 2, b.N - b.N/2} {
		if n == 0 {
			continue
		}
		b.StartTimer()
		ours += replay(b, env.URL, [][]byte{raw}, n, 0)
		b.StopTimer()
		floor += replay(b, bare.URL, [][]byte{raw}, n, 0)
	}
	perRequest := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(perRequest(ours), "server-µs/req")
	b.ReportMetric(perRequest(floor), "floor-µs/req")
	b.ReportMetric(perRequest(ours-floor), "over-floor-µs/req")
	if bytesPerRequest >= 1<<20 {
		mib := float64(bytesPerRequest) / (1 << 20)
		b.ReportMetric(perRequest(ours)/1000/mib, "server-ms/MiB")
	}
}

// bareServer answers every request with Sekisho's answer to raw (its
// headers but Date, its body), reading the request body as Sekisho must:
// no signature, authorization, decision log or storage.
func bareServer(t testing.TB, base string, raw []byte) *httptest.Server {
	t.Helper()
	header, body := answerOf(t, base, raw)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for name, values := range header {
			w.Header()[name] = values
		}
		_, _ = w.Write(body)
	}))
}

func BenchmarkServerCPUGetCallerIdentity(b *testing.B) {
	env := testenv.Start(b)
	benchmarkServerCPU(b, env, stsRequest(b, env.URL, "Action=GetCallerIdentity&Version=2011-06-15"), 0)
}

func BenchmarkServerCPUAssumeRole(b *testing.B) {
	env := testenv.Start(b)
	raw := stsRequest(b, env.URL, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fassume_s3_role&RoleSessionName=bench")
	benchmarkServerCPU(b, env, raw, 0)
}

// putObjectOnce stores data under key through the replay path.
func putObjectOnce(b *testing.B, env *testenv.Env, key string, data []byte) {
	replay(b, env.URL, [][]byte{putObjectSigned(b, env.URL, key, data)}, 1, 0)
}

func randomBytes(n int) []byte {
	data := make([]byte, n)
	_, _ = rand.Read(data)
	return data
}

func BenchmarkServerCPUGetObject4KiB(b *testing.B) {
	env := testenv.Start(b)
	putObjectOnce(b, env, "bench", randomBytes(4<<10))
	benchmarkServerCPU(b, env, getObjectRequest(b, env.URL, "bench"), 4<<10)
}

// answerOf sends one raw request to the server at base and returns the
// headers net/http's server would not set itself, and the body.
func answerOf(t testing.TB, base string, raw []byte) (http.Header, []byte) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Scheme, req.URL.Host, req.RequestURI = u.Scheme, u.Host, ""
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("answer: %d %v", resp.StatusCode, err)
	}
	header := resp.Header.Clone()
	header.Del("Date")
	return header, body
}

func BenchmarkServerCPUPutObject4KiB(b *testing.B) {
	env := testenv.Start(b)
	benchmarkServerCPU(b, env, putObjectTrailer(b, env.URL, "bench", randomBytes(4<<10)), 4<<10)
}

const largeObject = 16 << 20

func BenchmarkServerCPUGetObjectLarge(b *testing.B) {
	env := testenv.Start(b)
	putObjectOnce(b, env, "large", randomBytes(largeObject))
	benchmarkServerCPU(b, env, getObjectRequest(b, env.URL, "large"), largeObject)
}

func BenchmarkServerCPUPutObjectLargeTrailer(b *testing.B) {
	env := testenv.Start(b)
	benchmarkServerCPU(b, env, putObjectTrailer(b, env.URL, "large", randomBytes(largeObject)), largeObject)
}

func BenchmarkServerCPUPutObjectLargeSigned(b *testing.B) {
	env := testenv.Start(b)
	benchmarkServerCPU(b, env, putObjectSigned(b, env.URL, "large", randomBytes(largeObject)), largeObject)
}

// BenchmarkServerRSSAfterLoad measures the resident set of the server
// process idle, right after 60 s of mixed load (GetCallerIdentity,
// AssumeRole, 4 KiB GET and PUT, 1 MiB PUT and GET), and 15 s later
// (the server hands its free heap back after 5–10 s without requests).
// Set SEKISHO_RSS_LOAD to shorten the load (e.g. 5s).
func BenchmarkServerRSSAfterLoad(b *testing.B) {
	load := 60 * time.Second
	if d, err := time.ParseDuration(os.Getenv("SEKISHO_RSS_LOAD")); err == nil {
		load = d
	}
	env := testenv.Start(b)
	mib := randomBytes(1 << 20)
	putObjectOnce(b, env, "bench", randomBytes(4<<10))
	putObjectOnce(b, env, "large", mib)
	requests := [][]byte{
		stsRequest(b, env.URL, "Action=GetCallerIdentity&Version=2011-06-15"),
		stsRequest(b, env.URL, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fassume_s3_role&RoleSessionName=bench"),
		getObjectRequest(b, env.URL, "bench"),
		putObjectTrailer(b, env.URL, "bench-put", randomBytes(4<<10)),
		getObjectRequest(b, env.URL, "large"),
		putObjectTrailer(b, env.URL, "large-put", mib),
	}
	for b.Loop() {
		runtime.GC()
		debug.FreeOSMemory()
		idle := residentSet(b)
		replay(b, env.URL, requests, 0, load)
		after := residentSet(b)
		time.Sleep(15 * time.Second)
		settled := residentSet(b)
		b.ReportMetric(float64(idle)/(1<<20), "idle-MiB")
		b.ReportMetric(float64(after)/(1<<20), "after-load-MiB")
		b.ReportMetric(float64(settled)/(1<<20), "after-15s-MiB")
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MiB")
	}
}

// residentSet reads VmRSS from /proc/self/status.
func residentSet(t testing.TB) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal(errors.New("no VmRSS in /proc/self/status"))
	return 0
}

// discardResponse is a ResponseWriter that keeps only the status.
type discardResponse struct {
	header http.Header
	status int
}

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardResponse) WriteHeader(status int)      { d.status = status }

// SetReadDeadline accepts the read deadline the server sets through
// http.ResponseController, as net/http's own writer does: without it the
// controller builds an error on every request, which a real connection
// never pays.
func (d *discardResponse) SetReadDeadline(time.Time) error { return nil }

// benchmarkHandler parses the raw request and serves it in process, one at
// a time: no network, no client, so allocs/op and B/op are the server's
// own (net/http's connection handling excepted) and stable on a busy
// machine, where the CPU figures above are not. The readers are reused,
// as a connection's are: what is counted is the request's, net/http's
// parsing of it included.
func benchmarkHandler(b *testing.B, env *testenv.Env, raw []byte) {
	body := bytes.NewReader(raw)
	in := bufio.NewReader(body)
	serve := func() {
		body.Reset(raw)
		in.Reset(body)
		req, err := http.ReadRequest(in)
		if err != nil {
			b.Fatal(err)
		}
		req.RemoteAddr = "127.0.0.1:40000"
		w := &discardResponse{header: http.Header{}}
		env.Handler.ServeHTTP(w, req)
		if w.status/100 != 2 && w.status != 0 {
			b.Fatalf("status %d", w.status)
		}
	}
	serve()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		serve()
	}
}

func BenchmarkHandlerGetCallerIdentity(b *testing.B) {
	env := testenv.Start(b)
	benchmarkHandler(b, env, stsRequest(b, env.URL, "Action=GetCallerIdentity&Version=2011-06-15"))
}

func BenchmarkHandlerAssumeRole(b *testing.B) {
	env := testenv.Start(b)
	benchmarkHandler(b, env, stsRequest(b, env.URL, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fassume_s3_role&RoleSessionName=bench"))
}

func BenchmarkHandlerGetObject4KiB(b *testing.B) {
	env := testenv.Start(b)
	putObjectOnce(b, env, "bench", randomBytes(4<<10))
	benchmarkHandler(b, env, getObjectRequest(b, env.URL, "bench"))
}
