/**
 * A URL as lrgate shows and stores it: without user name and password, no trailing slash.
 *
 * @example displayUrl('http://user:pw@127.0.0.1:8000/v1/') // 'http://127.0.0.1:8000/v1'
 */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    return u.toString().replace(/\/+$/, '')
  } catch {
    return url.replace(/\/+$/, '')
  }
}
