// An HMAC-signed POST /oauth2/token with Go's standard library (docs/HMAC.md).
// Usage: KEYMINT_URL=http://localhost:3000 API_KEY=… API_SECRET=… go run token.go
package main

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	url, key, secret := os.Getenv("KEYMINT_URL"), os.Getenv("API_KEY"), os.Getenv("API_SECRET")
	body := "grant_type=client_credentials"
	date := time.Now().UTC().Format(http.TimeFormat) // IMF-fixdate: "Tue, 05 Mar 2024 09:07:03 GMT"
	sum := md5.Sum([]byte(body))
	digest := hex.EncodeToString(sum[:])
	stringToSign := "date: " + date + "\nx-Content-MD5: " + digest + "\nPOST /oauth2/token HTTP/1.1"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	signature := base64.StdEncoding.EncodeToString(mac.Sum(nil))

	req, err := http.NewRequest("POST", url+"/oauth2/token", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Date", date)
	req.Header.Set("x-Content-MD5", digest)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", fmt.Sprintf(`hmac username="%s", algorithm="hmac-sha256", headers="date x-Content-MD5 request-line", signature="%s"`, key, signature))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	fmt.Println(string(out))
}
