/**
 * Escapes text for HTML element content and attribute values. The five characters cover both HTML
 * and XML, so the page stays well-formed XML (the tests parse it as such).
 *
 * @example escapeHtml('lr=<1e-4> & "x"') // 'lr=&lt;1e-4&gt; &amp; &quot;x&quot;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c])
}

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}
