/** The console's icon (also answered at /favicon.ico): a gate, in the header's colours. */
export const CONSOLE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#16202e"/>
<path d="M7 26V12l9-6 9 6v14h-5v-9h-8v9z" fill="#cfe0ff"/>
</svg>
`;
