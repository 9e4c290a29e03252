package sigv4

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// fakeAWS authenticates every request the way the real server will and
// answers just enough for the SDK clients to succeed.
type fakeAWS struct {
	v       *Verifier
	mu      sync.Mutex
	objects map[string][]byte
	seen    []string // payload hash kinds, for the test to check coverage
	failure error
}

func (s *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, body, err := s.authenticate(r)
	if err != nil {
		s.fail(err)
		http.Error(w, "<Error><Code>SignatureDoesNotMatch</Code></Error>", http.StatusForbidden)
		return
	}
	switch a.Service {
	case "sts":
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult></GetCallerIdentityResponse>`)
	case "iam":
		fmt.Fprint(w, `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>`+
			`<IsTruncated>false</IsTruncated><Users/></ListUsersResult></ListUsersResponse>`)
	case "s3":
		s.serveS3(w, r, body)
	}
}

func (s *fakeAWS) serveS3(w http.ResponseWriter, r *http.Request, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method == http.MethodPut {
		s.objects[r.URL.Path] = body
		w.Header().Set("ETag", `"etag"`)
		return
	}
	if obj, ok := s.objects[r.URL.Path]; ok {
		w.Write(obj)
		return
	}
	http.Error(w, "<Error><Code>NoSuchKey</Code></Error>", http.StatusNotFound)
}

func (s *fakeAWS) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failure == nil {
		s.failure = err
	}
}

func (s *fakeAWS) note(kind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, kind)
}

// authenticate runs Parse and Verify and reads the body as the server
// will: through ChunkedReader, PayloadHashReader, or hashed up front.
func (s *fakeAWS) authenticate(r *http.Request) (*Auth, []byte, error) {
	a, err := s.v.Parse(r)
	if err != nil {
		return nil, nil, err
	}
	if a.AccessKeyID != testAKID {
		return nil, nil, fmt.Errorf("unknown access key %q", a.AccessKeyID)
	}
	switch {
	case a.Streaming():
		s.note(a.PayloadHash)
		if err := s.v.Verify(r, a, testSecret, ""); err != nil {
			return nil, nil, err
		}
		c := s.v.NewChunkedReader(r.Body, a, testSecret)
		body, err := io.ReadAll(c)
		if err == nil && c.Trailers()["x-amz-checksum-crc32"] != crc32Trailer(body) {
			err = fmt.Errorf("trailers %v do not match the body", c.Trailers())
		}
		return a, body, err
	case a.PayloadHash != "" && a.PayloadHash != UnsignedPayload:
		s.note("sha256")
		if err := s.v.Verify(r, a, testSecret, ""); err != nil {
			return nil, nil, err
		}
		body, err := io.ReadAll(NewPayloadHashReader(r.Body, a.PayloadHash))
		return a, body, err
	default:
		s.note(a.PayloadHash)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, err
		}
		return a, body, s.v.Verify(r, a, testSecret, sha256Hex(body))
	}
}

func startFakeAWS(t *testing.T) (*fakeAWS, *httptest.Server, aws.Config) {
	fake := &fakeAWS{v: NewVerifier(nil), objects: make(map[string][]byte)}
	srv := httptest.NewTLSServer(fake)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if fake.failure != nil {
			t.Errorf("server rejected a request: %v", fake.failure)
		}
	})
	cfg := aws.Config{
		Region:           testRegion,
		Credentials:      credentials.NewStaticCredentialsProvider(testAKID, testSecret, testToken),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
		BaseEndpoint:     aws.String(srv.URL),
	}
	return fake, srv, cfg
}

func TestSDKClientsAgainstVerifier(t *testing.T) {
	ctx := context.Background()
	fake, srv, cfg := startFakeAWS(t)

	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/a b/")}); err != nil {
		t.Fatal(err)
	}

	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	data := testPayload(200 << 10)
	key := aws.String(oddKey)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("bucket"), Key: key, Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	}); err != nil {
		t.Fatal(err)
	}
	got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	if body, _ := io.ReadAll(got.Body); !bytes.Equal(body, data) {
		t.Fatalf("GetObject returned %d bytes, want %d", len(body), len(data))
	}

	presigned, err := s3.NewPresignClient(client).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Get(presigned.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned GET: %s", resp.Status)
	}
	if seen := strings.Join(fake.seen, " "); !strings.Contains(seen, StreamingUnsignedPayloadTrailer) {
		t.Errorf("PutObject did not stream; payload kinds seen: %s", seen)
	}
}

func TestSDKPresignedSTS(t *testing.T) {
	_, srv, cfg := startFakeAWS(t)
	presigned, err := sts.NewPresignClient(sts.NewFromConfig(cfg)).PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	req := newRequest(t, presigned.Method, presigned.URL, nil)
	for name, values := range presigned.SignedHeader {
		if name != "Host" {
			req.Header[name] = values
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned GetCallerIdentity: %s", resp.Status)
	}
}

// TestSDKLargeObjectIsOneChunk: aws-sdk-go-v2 sends a stream of known
// length as a single unsigned chunk, larger than MaxChunkSize.
func TestSDKLargeObjectIsOneChunk(t *testing.T) {
	fake, _, cfg := startFakeAWS(t)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	data := testPayload(MaxChunkSize + 1)
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("bucket"), Key: aws.String("big"), Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.objects["/bucket/big"]; !bytes.Equal(got, data) {
		t.Fatalf("stored %d bytes, want %d", len(got), len(data))
	}
}
