// Downloads of the page's exports (model file, regions picture), fetched first so that
// a refusal from the server is a message on the page, not a failed download.

// The file name the server gives (RFC 5987 filename*, else the ASCII filename).
export function filenameOf(header) {
  const exact = /filename\*=UTF-8''([^;]+)/i.exec(header || "");
  if (exact) {
    try { return decodeURIComponent(exact[1]); } catch (err) { /* the ASCII one then */ }
  }
  const plain = /filename="([^"]*)"/i.exec(header || "");
  return plain ? plain[1] : "";
}

// Fetched first, so that a refusal (busy: 503, this page's export not ready: 429)
// is a message on the page, not a failed download.
export async function download(path, showMessages) {
  let response;
  try {
    response = await fetch(path, { cache: "no-store" });
  } catch (err) {
    showMessages([`the download failed: ${err.message}`], "error");
    return;
  }
  if (!response.ok) {
    let message = `the download failed (HTTP ${response.status})`;
    try { message = (await response.json()).error || message; } catch (err) { /* not JSON */ }
    showMessages([message], "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filenameOf(response.headers.get("Content-Disposition"));
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
