# An HMAC-signed POST /oauth2/token with Python's standard library (docs/HMAC.md).
# Usage: KEYMINT_URL=http://localhost:3000 API_KEY=... API_SECRET=... python3 token.py
import base64, hashlib, hmac, os, urllib.request
from email.utils import formatdate

url, key, secret = os.environ["KEYMINT_URL"], os.environ["API_KEY"], os.environ["API_SECRET"]
body = b"grant_type=client_credentials"
date = formatdate(usegmt=True)  # IMF-fixdate: "Tue, 05 Mar 2024 09:07:03 GMT"
md5 = hashlib.md5(body).hexdigest()
string_to_sign = f"date: {date}\nx-Content-MD5: {md5}\nPOST /oauth2/token HTTP/1.1"
signature = base64.b64encode(hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()).decode()

request = urllib.request.Request(url + "/oauth2/token", data=body, method="POST", headers={
    "Date": date,
    "x-Content-MD5": md5,
    "Content-Type": "application/x-www-form-urlencoded",
    "Authorization": f'hmac username="{key}", algorithm="hmac-sha256", headers="date x-Content-MD5 request-line", signature="{signature}"',
})
with urllib.request.urlopen(request) as response:
    print(response.read().decode())
