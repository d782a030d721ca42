/** Hands bytes to the browser as a download (Electron saves it; the browser host downloads it). */
export function saveFile(fileName: string, mimeType: string, bytes: Uint8Array): void {
  const blob = new Blob([bytes as BlobPart], { type: mimeType });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: the download reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
