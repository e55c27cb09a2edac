# A Hearth `exec` function in plain sh: stdin is the request body, stdout the response body.
echo "Hello from sh, ${REQUEST_METHOD} ${PATH_INFO}"
cat
