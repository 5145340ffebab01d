/**
 * The operation GraphiQL opens on when the URL carries no `query` (and the browser has no saved
 * tabs): a nested read across people and leave that answers on the demo organization of
 * `npm start`, in place of GraphiQL's stock welcome text. test/gateway/landing-page holds it valid
 * against the gateway's API schema and runs it in a browser.
 */
export const EXAMPLE_QUERY = `# The leave graph: people, leave, time and boarding.
# Your API key is sent for you (the bar above).
# Run with Ctrl-Enter or the play button. The docs
# (book icon) describe every type and field.
query DepartmentsAndTheirLeave {
  me { name role }
  departments(first: 3) {
    totalCount
    nodes {
      name
      manager { name }
      members(first: 3) {
        totalCount
        nodes {
          name
          manager { name }
          currentLeave { startDate endDate leaveType { name } }
          leaveRequests(first: 3) {
            totalCount
            nodes { status startDate endDate amount leaveType { name } }
          }
        }
      }
    }
  }
}
`;
